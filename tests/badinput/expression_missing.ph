out: 3 +
