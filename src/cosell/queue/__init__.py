"""The sync queue (SQS FIFO) and the message every trigger becomes on it."""
