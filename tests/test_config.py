"""digitlib.config: which model is active, and how it is named."""

from pathlib import Path

import pytest

from digitlib import config


@pytest.fixture
def models(tmp_path, monkeypatch):
    """Model paths in a temporary folder, and no DIGITS_MODEL: as on a learner's machine."""
    paths = {name: tmp_path / f"{name}.keras" for name in ("committed", "mine", "personal")}
    monkeypatch.setattr(config, "DEFAULT_MODEL_PATH", paths["committed"])
    monkeypatch.setattr(config, "LEARNER_MODEL_PATH", paths["mine"])
    monkeypatch.setattr(config, "PERSONAL_MODEL_PATH", paths["personal"])
    monkeypatch.setattr(config, "MODELS_DIR", tmp_path)
    monkeypatch.setattr(config, "MODEL_NAMES", {"committed": paths["committed"],
                                                "default": paths["committed"],
                                                "mine": paths["mine"],
                                                "personal": paths["personal"]})
    monkeypatch.delenv(config.MODEL_VARIABLE, raising=False)
    paths["committed"].write_bytes(b"committed")
    return paths


def test_the_committed_model_is_active_until_the_learner_trains_one(models, monkeypatch):
    assert config.model_path() == models["committed"]
    models["mine"].write_bytes(b"trained in notebook 04")
    assert config.model_path() == models["mine"]
    # The one-line way back, and any other choice, by name or path.
    monkeypatch.setenv(config.MODEL_VARIABLE, "committed")
    assert config.model_path() == models["committed"]
    monkeypatch.setenv(config.MODEL_VARIABLE, "personal")
    assert config.model_path() == models["personal"]
    monkeypatch.setenv(config.MODEL_VARIABLE, "elsewhere/model.keras")
    assert config.model_path() == Path("elsewhere/model.keras")


def test_model_names(models):
    assert config.model_path("committed") == config.model_path("default") == models["committed"]
    assert config.model_path("mine") == models["mine"]  # even before it exists
    assert config.model_path("personal") == models["personal"]
    assert config.model_path(Path("x/y.keras")) == Path("x/y.keras")
    assert len({config.DEFAULT_MODEL_PATH, config.LEARNER_MODEL_PATH,
                config.PERSONAL_MODEL_PATH}) == 3


def test_describe_model_says_which_model_in_one_line(models, tmp_path):
    assert config.describe_model(models["committed"]) == "the committed model (committed.keras)"
    assert config.describe_model(models["mine"]) == "your model from notebook 04 (mine.keras)"
    assert config.describe_model(models["personal"]).startswith("your fine-tuned model")
    other = tmp_path / "sub" / "other.keras"
    assert config.describe_model(other) == f"the model ({other})"


def test_the_real_paths():
    """The committed model is tracked; the learner's and the fine-tuned ones sit beside it."""
    assert config.DEFAULT_MODEL_PATH == config.MODELS_DIR / "mnist_cnn.keras"
    assert config.LEARNER_MODEL_PATH.parent == config.MODELS_DIR
    assert config.PERSONAL_MODEL_PATH.parent == config.MODELS_DIR
    assert config.MODEL_NAMES["committed"] == config.DEFAULT_MODEL_PATH
