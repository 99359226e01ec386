"""The fast trainer: minibatched skip-gram and CBOW with shared negatives (see trainer.py)."""
from .config import FastConfig, make_config
from .trainer import FastResult, train_word2vec

__all__ = ["FastConfig", "make_config", "FastResult", "train_word2vec"]
