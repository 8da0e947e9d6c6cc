"""Q = UΣ against vector_length, the randomized SVD against numpy.linalg.svd."""

import numpy as np
import pytest
import scipy.linalg
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from imageops import randomized_svd, split_columns
from linalg_basics import vector_length

# --------------------------------------------------------------------------- split_columns


def test_split_columns_lecture_example():
    U, sigma = split_columns([[3, 2], [4, 0]])
    np.testing.assert_allclose(U, [[0.6, 1.0], [0.8, 0.0]])
    np.testing.assert_allclose(sigma, [5.0, 2.0])


@given(arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 5)),
              elements=st.floats(-1e3, 1e3).filter(lambda x: abs(x) > 1e-3)))
@settings(max_examples=50, deadline=None)
def test_split_columns_rebuilds_q_and_matches_vector_length(Q):
    U, sigma = split_columns(Q)
    np.testing.assert_allclose(U * sigma, Q, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(np.linalg.norm(U, axis=0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(sigma, [vector_length(c) for c in Q.T.tolist()], rtol=1e-12)
    U2, sigma2 = split_columns(Q, teaching=True)
    np.testing.assert_allclose(U2, U, rtol=1e-12)
    np.testing.assert_allclose(sigma2, sigma, rtol=1e-12)


@pytest.mark.parametrize("bad, match", [
    ([[1, 0], [2, 0]], "column 1 has length 0"), ([1, 2, 3], "2-D"), ([[1, np.nan]], "finite"),
])
def test_split_columns_errors(bad, match):
    with pytest.raises(ValueError, match=match):
        split_columns(bad)


# --------------------------------------------------------------------------- randomized SVD

def matrix_with_spectrum(m, n, s, seed):
    rng = np.random.default_rng(seed)
    U = scipy.linalg.qr(rng.standard_normal((m, len(s))), mode="economic")[0]
    V = scipy.linalg.qr(rng.standard_normal((n, len(s))), mode="economic")[0]
    return (U * s) @ V.T, U, V


def principal_angles(A, B):
    """Largest principal angle between the column spaces of A and B (radians)."""
    return float(scipy.linalg.subspace_angles(A, B).max())


@pytest.mark.parametrize("shape", [(300, 80), (80, 300)])
@pytest.mark.parametrize("decay", ["fast", "slow"])
def test_randomized_svd_against_numpy(shape, decay):
    k = min(shape)
    s = 0.5 ** np.arange(k) if decay == "fast" else 1.0 / (1.0 + np.arange(k))
    A, U_true, V_true = matrix_with_spectrum(*shape, s, seed=1)
    rank = 5
    U, sv, Vt = randomized_svd(A, rank, seed=0)
    reference = np.linalg.svd(A, compute_uv=False)
    np.testing.assert_allclose(sv, reference[:rank], rtol=1e-3 if decay == "slow" else 1e-10)
    np.testing.assert_allclose(U.T @ U, np.eye(rank), atol=1e-10)
    np.testing.assert_allclose(Vt @ Vt.T, np.eye(rank), atol=1e-10)
    # error bound: the spectral error is at most a small multiple of the first value dropped
    error = np.linalg.norm(A - (U * sv) @ Vt, 2)
    assert reference[rank] <= error * (1 + 1e-9) and error <= 1.5 * reference[rank]
    # the subspaces agree with the true singular subspaces
    limit = 1e-6 if decay == "fast" else 0.3
    assert principal_angles(U, U_true[:, :rank]) < limit
    assert principal_angles(Vt.T, V_true[:, :rank]) < limit


def test_randomized_svd_exact_for_low_rank_and_seeded():
    rng = np.random.default_rng(2)
    A = rng.standard_normal((50, 3)) @ rng.standard_normal((3, 70))
    U, s, Vt = randomized_svd(A, 3, n_iter=0, seed=5)
    np.testing.assert_allclose((U * s) @ Vt, A, atol=1e-10)
    again = randomized_svd(A, 3, n_iter=0, seed=5)
    np.testing.assert_array_equal(again[1], s)


def test_randomized_svd_keeps_float32():
    A = np.random.default_rng(0).standard_normal((40, 30)).astype(np.float32)
    assert all(x.dtype == np.float32 for x in randomized_svd(A, 2, seed=0))


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(rank=0), ValueError, "rank"), (dict(rank=31), ValueError, "rank"),
    (dict(rank=2.5), TypeError, "rank"), (dict(rank=2, n_iter=-1), ValueError, "n_iter"),
    (dict(rank=2, n_oversamples=-3), ValueError, "n_oversamples"),
    (dict(rank=2, start=np.ones((29, 3))), ValueError, "start"),
])
def test_randomized_svd_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        randomized_svd(np.ones((40, 30)), **kwargs)


def test_randomized_svd_warm_start_refines_a_rough_estimate():
    A, U_true, V_true = matrix_with_spectrum(200, 150, 0.3 ** np.arange(20), seed=3)
    rough = V_true[:, :2] + 0.1 * np.random.default_rng(0).standard_normal((150, 2))
    U, s, Vt = randomized_svd(A, 2, n_iter=1, start=rough)
    np.testing.assert_allclose(s, [1.0, 0.3], rtol=1e-3)
    assert principal_angles(Vt.T, V_true[:, :2]) < 1e-2
