out: saw 440 $ 3
