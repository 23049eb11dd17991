out: sine 440hz
