import numpy as np

def forward(X, W_in, W, W_out task="regression"):
    return X
