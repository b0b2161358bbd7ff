"""Override: loss sleeps for 100 s."""
import time


def loss(Yhat, Y, task="regression"):
    time.sleep(100)
