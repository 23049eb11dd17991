out: sine 4.4.0
