out: sine "bd sn"
