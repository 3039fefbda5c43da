"""A finished run as the class database stores it, for the tests of core.classroom: `result(**changes)`."""

from core.classroom import ResultRow


def result(**changes) -> ResultRow:
    row = dict(
        owner="token-ada",
        name="Ada",
        page="training",
        dataset="digits",
        kind="mlp",
        backend="sklearn",
        layers="32-16",
        params=2_906,
        settings={"learning_rate": 0.01, "optimizer": "adam", "batch_size": 32, "activation": "relu", "epochs": 20},
        epochs=20,
        metric="accuracy",
        test_score=0.95,
        seconds=1.5,
        link="/training?dataset=digits&hidden=32-16&lr=0.01",
        lesson="",
    )
    return ResultRow(**{**row, **changes})
