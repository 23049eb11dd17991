out: sine 440 # note 3
