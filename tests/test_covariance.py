"""Tests of teachkit.covariance: every formula against an independent computation.

Independent references used here: np.linalg (cholesky, eigvalsh, det), explicit loops,
scipy.stats.beta, numerical quadrature, Monte Carlo integrals and moments with tolerances
derived from their sampling error, the LKJ (2009) closed form of the normalising constant
(a different formula from the Stan form used by the module), the known volume pi^2/2 of the
3 x 3 correlation matrices, and PyMC's own LKJCorr logp (marked ``slow``).

Monte Carlo tests use fixed seeds (deterministic) and tolerances of about 4-5 standard errors,
so that a correct implementation passes and a wrong formula (a wrong constant, a wrong Beta
parameter in the sampler, a transposed Cholesky factor) fails by many standard errors.
"""

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import integrate, special, stats

from teachkit import covariance as cv
from teachkit.covariance import (
    NotPositiveDefiniteError,
    cholesky,
    corr_from_pairs,
    correlation_problems,
    cov_from_sd_corr,
    det3,
    is_valid_correlation,
    lkj_logpdf,
    lkj_marginal_pdf,
    r23_interval,
    sample_lkj,
    sample_mvnormal,
    sd_corr_from_cov,
)

LECTURE = (0.9, 0.8, -0.9)  # the lecture's "what's wrong?" correlations
FIELD_NOTES = (0.9, 0.9, -0.5)  # det -1.68, eigenvalues (-0.547, 1.5, 2.047)


def random_spd(rng, d, batch=()):
    """Random symmetric positive-definite matrices, independent of the module."""
    a = rng.standard_normal(batch + (d, d))
    return a @ np.swapaxes(a, -1, -2) + 0.5 * np.eye(d)


def random_corr(rng, d, batch=()):
    """Random valid correlation matrices (normalised random SPD), independent of the module."""
    s = random_spd(rng, d, batch)
    sd = np.sqrt(np.diagonal(s, axis1=-2, axis2=-1))
    return s / (sd[..., :, None] * sd[..., None, :])


# --------------------------------------------------------------------------------------------
# covariance <-> (sd, correlation)
# --------------------------------------------------------------------------------------------


def test_cov_from_sd_corr_matches_diag_r_diag():
    rng = np.random.default_rng(0)
    for d in (2, 3, 5):
        sd = rng.uniform(0.1, 3, size=d)
        R = random_corr(rng, d)
        expected = np.diag(sd) @ R @ np.diag(sd)
        np.testing.assert_allclose(cov_from_sd_corr(sd, R), expected, rtol=1e-12)


def test_cov_from_sd_corr_lecture_example():
    # sigma_1^2 = 4, sigma_2^2 = 1, rho = -0.8 -> off-diagonal -1.6
    np.testing.assert_allclose(
        cov_from_sd_corr([2, 1], [[1, -0.8], [-0.8, 1]]), [[4, -1.6], [-1.6, 1]]
    )


def test_cov_from_sd_corr_broadcasts_over_batches():
    rng = np.random.default_rng(1)
    sd = rng.uniform(0.5, 2, size=(4, 3))
    R = random_corr(rng, 3, (4,))
    out = cov_from_sd_corr(sd, R)
    assert out.shape == (4, 3, 3)
    for b in range(4):
        np.testing.assert_allclose(out[b], np.diag(sd[b]) @ R[b] @ np.diag(sd[b]))
    # one R shared by many sd vectors
    out = cov_from_sd_corr(sd, R[0])
    assert out.shape == (4, 3, 3)
    np.testing.assert_allclose(out[2], np.diag(sd[2]) @ R[0] @ np.diag(sd[2]))


def test_sd_corr_from_cov_entrywise_and_round_trip():
    rng = np.random.default_rng(2)
    cov = random_spd(rng, 4)
    sd, corr = sd_corr_from_cov(cov)
    for i in range(4):
        assert sd[i] == pytest.approx(math.sqrt(cov[i, i]))
        for j in range(4):
            assert corr[i, j] == pytest.approx(cov[i, j] / math.sqrt(cov[i, i] * cov[j, j]))
    assert np.all(np.diag(corr) == 1.0)
    np.testing.assert_allclose(cov_from_sd_corr(sd, corr), cov, rtol=1e-12)
    # batched
    covs = random_spd(rng, 3, (5, 2))
    sd, corr = sd_corr_from_cov(covs)
    assert sd.shape == (5, 2, 3) and corr.shape == (5, 2, 3, 3)
    np.testing.assert_allclose(cov_from_sd_corr(sd, corr), covs, rtol=1e-12)


@pytest.mark.parametrize(
    ("sd", "corr", "match"),
    [
        ([1.0, -2.0], np.eye(2), "standard deviation must be finite and >= 0; got -2"),
        ([1.0, np.nan], np.eye(2), "standard deviation"),
        ([1.0, 2.0, 3.0], np.eye(2), "last dimension 2"),
        ([1.0, 2.0], np.ones((2, 3)), "square matrix"),
        ([1.0, 2.0], [[1, np.inf], [0, 1]], "NaN or infinite"),
        (["a", "b"], np.eye(2), "numeric"),
    ],
)
def test_cov_from_sd_corr_bad_arguments(sd, corr, match):
    with pytest.raises(ValueError, match=match):
        cov_from_sd_corr(sd, corr)


@pytest.mark.parametrize(
    ("cov", "match"),
    [
        ([[1.0, 0.2], [0.3, 1.0]], "symmetric"),
        ([[1.0, 0.0], [0.0, 0.0]], r"entry \[1, 1\] is 0"),
        ([[-1.0, 0.0], [0.0, 1.0]], r"must be > 0; entry \[0, 0\] is -1"),
        ([1.0, 2.0], "square matrix"),
    ],
)
def test_sd_corr_from_cov_bad_arguments(cov, match):
    with pytest.raises(ValueError, match=match):
        sd_corr_from_cov(cov)


# --------------------------------------------------------------------------------------------
# Cholesky
# --------------------------------------------------------------------------------------------


def test_cholesky_matches_numpy_and_reconstructs():
    rng = np.random.default_rng(3)
    for d in (1, 2, 3, 6):
        cov = random_spd(rng, d)
        L = cholesky(cov)
        np.testing.assert_allclose(L, np.linalg.cholesky(cov), rtol=1e-12)
        assert np.all(np.triu(L, 1) == 0), "the factor must be lower triangular"
        assert np.all(np.diag(L) > 0)
        np.testing.assert_allclose(L @ L.T, cov, rtol=1e-10, atol=1e-12)


def test_cholesky_lecture_2x2_by_hand():
    # Sigma = [[s1^2, s1 s2 rho], [., s2^2]] -> L = [[s1, 0], [s2 rho, s2 sqrt(1 - rho^2)]]
    s1, s2, rho = 2.0, 1.0, -0.8
    L = cholesky([[s1**2, s1 * s2 * rho], [s1 * s2 * rho, s2**2]])
    np.testing.assert_allclose(L, [[s1, 0], [s2 * rho, s2 * math.sqrt(1 - rho**2)]])


def test_cholesky_batched():
    rng = np.random.default_rng(4)
    covs = random_spd(rng, 3, (2, 5))
    L = cholesky(covs)
    assert L.shape == (2, 5, 3, 3)
    np.testing.assert_allclose(L @ np.swapaxes(L, -1, -2), covs, rtol=1e-10)


@pytest.mark.parametrize("pairs", [LECTURE, FIELD_NOTES])
def test_cholesky_of_impossible_correlations_names_smallest_eigenvalue(pairs):
    R = corr_from_pairs(*pairs)
    with pytest.raises(NotPositiveDefiniteError) as info:
        cholesky(R)
    err = info.value
    assert isinstance(err, ValueError)
    expected = np.linalg.eigvalsh(R)
    np.testing.assert_allclose(err.eigenvalues, expected, rtol=1e-10)
    assert err.smallest_eigenvalue == pytest.approx(expected[0])
    message = str(err)
    assert f"smallest eigenvalue is {expected[0]:.4g}" in message
    assert "not positive definite" in message
    assert "negative variance" in message or "variance" in message and "< 0" in message
    assert "no real data" in message


def test_cholesky_field_notes_eigenvalues():
    with pytest.raises(NotPositiveDefiniteError) as info:
        cholesky(corr_from_pairs(*FIELD_NOTES))
    np.testing.assert_allclose(info.value.eigenvalues, [-0.547, 1.5, 2.047], atol=1e-3)


def test_cholesky_singular_matrix_is_explained_as_singular():
    with pytest.raises(NotPositiveDefiniteError, match="singular") as info:
        cholesky([[1.0, 1.0], [1.0, 1.0]])
    assert abs(info.value.smallest_eigenvalue) < 1e-12
    assert "smallest eigenvalue is 0 " in str(info.value)


def test_cholesky_batched_error_names_the_bad_matrix():
    covs = np.stack([np.eye(2), np.eye(2), [[1.0, 2.0], [2.0, 1.0]]])
    with pytest.raises(
        NotPositiveDefiniteError, match=r"at index \(2,\).*smallest eigenvalue is -1"
    ):
        cholesky(covs)


@pytest.mark.parametrize(
    ("cov", "match"),
    [
        ([[1.0, 0.5], [0.2, 1.0]], "symmetric"),
        ([[1.0, np.nan], [np.nan, 1.0]], "NaN"),
        (np.ones((2, 3)), "square"),
    ],
)
def test_cholesky_bad_arguments_are_plain_value_errors(cov, match):
    with pytest.raises(ValueError, match=match) as info:
        cholesky(cov)
    assert not isinstance(info.value, NotPositiveDefiniteError)


# --------------------------------------------------------------------------------------------
# validity of a correlation matrix
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("pairs", [LECTURE, FIELD_NOTES])
def test_impossible_correlations_are_reported_in_sentences(pairs):
    R = corr_from_pairs(*pairs)
    problems = correlation_problems(R)
    assert len(problems) == 1
    sentence = problems[0]
    lam = np.linalg.eigvalsh(R)[0]
    det = np.linalg.det(R)
    assert lam < 0 and det < 0
    assert f"smallest eigenvalue {lam:.4g}" in sentence
    assert f"determinant {det:.4g}" in sentence
    for (i, j), r in zip([(0, 1), (0, 2), (1, 2)], pairs, strict=True):
        assert f"R[{i}, {j}] = {r:.4g}" in sentence
    low, high = r23_interval(pairs[0], pairs[1])
    assert f"between {low:.4g} and {high:.4g}" in sentence
    assert sentence.endswith(".")
    assert not is_valid_correlation(R)


def test_field_notes_determinant_in_sentence():
    (sentence,) = correlation_problems(corr_from_pairs(*FIELD_NOTES))
    assert "determinant -1.68" in sentence
    assert "smallest eigenvalue -0.5471" in sentence


def test_weighted_sum_in_the_sentence_really_has_negative_variance():
    # The sentence names a combination w.x; its variance w' R w must be the named eigenvalue.
    R = corr_from_pairs(*LECTURE)
    (sentence,) = correlation_problems(R)
    combo = sentence.split("weighted sum ")[1].split(" of the variables")[0]
    w = np.zeros(3)
    for sign, term in zip(
        ["+", *combo.split()[1::2]], [combo.split()[0], *combo.split()[2::2]], strict=True
    ):
        coef, var = term.split("*x")
        w[int(var)] = float(coef) * (-1 if sign == "-" else 1)
    assert w @ R @ w == pytest.approx(np.linalg.eigvalsh(R)[0], abs=0.02)


def test_valid_matrices_have_no_problems():
    rng = np.random.default_rng(5)
    for d in (2, 3, 4, 8):
        R = random_corr(rng, d)
        assert correlation_problems(R) == []
        assert is_valid_correlation(R) is True
    assert correlation_problems(np.eye(1)) == []
    # round-off-sized asymmetry and diagonal errors are tolerated
    R = random_corr(rng, 3)
    R[0, 1] += 1e-12
    R[2, 2] -= 1e-12
    assert correlation_problems(R) == []


def test_each_kind_of_problem_names_its_entries():
    problems = correlation_problems([[1.0, 0.5, 2.0], [0.3, 1.0, 0.0], [2.0, 0.0, 0.9]])
    text = " | ".join(problems)
    assert len(problems) == 3
    assert "not symmetric" in text and "R[0, 1] = 0.5 but R[1, 0] = 0.3" in text
    assert "diagonal" in text and "R[2, 2] = 0.9" in text
    assert "between -1 and 1" in text and "R[0, 2] = 2" in text

    (shape,) = correlation_problems(np.zeros((2, 3)))
    assert "square" in shape and "(2, 3)" in shape
    (missing,) = correlation_problems([[1.0, np.nan], [np.nan, 1.0]])
    assert "R[0, 1]" in missing and "R[1, 0]" in missing

    (singular,) = correlation_problems([[1.0, 1.0], [1.0, 1.0]])
    assert "R[0, 1] = 1" in singular and "singular" in singular

    problems = correlation_problems([[1.0, -1.5], [-1.5, 1.0]])
    assert any("R[0, 1] = -1.5" in p and "between -1 and 1" in p for p in problems)
    assert any("smallest eigenvalue -0.5" in p for p in problems)


def test_correlation_problems_rejects_non_numbers():
    with pytest.raises(ValueError, match="numeric"):
        correlation_problems([["a", "b"], ["c", "d"]])


def test_validity_agrees_with_sylvester_criterion_for_3x3():
    # Independent criterion: all |r| < 1 and all leading principal minors > 0
    # (1 - r12^2 > 0 and det R > 0 from np.linalg.det).
    rng = np.random.default_rng(6)
    r = rng.uniform(-1, 1, size=(2000, 3))
    R = corr_from_pairs(r[:, 0], r[:, 1], r[:, 2])
    expected = (1 - r[:, 0] ** 2 > 0) & (np.linalg.det(R) > 0)
    valid = is_valid_correlation(R)
    assert valid.shape == (2000,)
    np.testing.assert_array_equal(valid, expected)
    # and agrees matrix by matrix with correlation_problems
    for k in range(0, 2000, 97):
        assert (correlation_problems(R[k]) == []) == bool(valid[k])


def test_validity_agrees_with_eigenvalues_for_larger_matrices():
    rng = np.random.default_rng(7)
    d = 5
    upper = rng.uniform(-0.6, 0.6, size=(500, d * (d - 1) // 2))
    R = np.tile(np.eye(d), (500, 1, 1))
    iu = np.triu_indices(d, 1)
    R[:, iu[0], iu[1]] = upper
    R[:, iu[1], iu[0]] = upper
    expected = np.linalg.eigvalsh(R)[:, 0] > 0
    assert 0.05 < expected.mean() < 0.95  # both kinds present
    np.testing.assert_array_equal(is_valid_correlation(R), expected)


def test_two_negative_eigenvalues_with_positive_determinant_is_invalid():
    # det > 0 is not enough beyond 3 x 3: two impossible blocks have det (-2.556)(-1.68) > 0
    from scipy.linalg import block_diag

    R = block_diag(corr_from_pairs(*LECTURE), corr_from_pairs(*FIELD_NOTES))
    assert np.linalg.det(R) > 0 and np.sum(np.linalg.eigvalsh(R) < 0) == 2
    assert is_valid_correlation(R) is False
    (sentence,) = correlation_problems(R)
    assert "not positive definite" in sentence
    assert lkj_logpdf(R, 2.0) == -np.inf
    with pytest.raises(NotPositiveDefiniteError):
        cholesky(R)


def test_is_valid_correlation_on_shapes_and_nan():
    assert is_valid_correlation(np.zeros((2, 3))) is False
    assert is_valid_correlation([1.0, 0.5]) is False
    stack = np.stack([np.eye(2), [[1.0, np.nan], [np.nan, 1.0]], [[1.0, 0.2], [0.1, 1.0]]])
    np.testing.assert_array_equal(is_valid_correlation(stack), [True, False, False])


# --------------------------------------------------------------------------------------------
# three variables
# --------------------------------------------------------------------------------------------


def test_det3_matches_numpy_det():
    rng = np.random.default_rng(8)
    r = rng.uniform(-1, 1, size=(300, 3))
    expected = np.linalg.det(corr_from_pairs(r[:, 0], r[:, 1], r[:, 2]))
    np.testing.assert_allclose(det3(r[:, 0], r[:, 1], r[:, 2]), expected, atol=1e-12)
    assert det3(*FIELD_NOTES) == pytest.approx(-1.68)
    assert isinstance(det3(0.1, 0.2, 0.3), float)


def test_det3_broadcasts_a_grid():
    r23 = np.linspace(-1, 1, 5)
    out = det3(0.5, np.array([[0.0], [0.5]]), r23)
    assert out.shape == (2, 5)
    assert out[0, 2] == pytest.approx(1 - 0.25)


def test_corr_from_pairs_layout():
    R = corr_from_pairs(0.1, 0.2, 0.3)
    np.testing.assert_array_equal(R, [[1, 0.1, 0.2], [0.1, 1, 0.3], [0.2, 0.3, 1]])
    R = corr_from_pairs(np.zeros((2, 4)), 0.5, [0, 0.1, 0.2, 0.3])
    assert R.shape == (2, 4, 3, 3)
    assert R[1, 3, 2, 1] == 0.3 and R[1, 3, 0, 2] == 0.5


def test_r23_interval_endpoints_are_singular_and_interior_valid():
    rng = np.random.default_rng(9)
    r12, r13 = rng.uniform(-0.99, 0.99, size=(2, 200))
    low, high = r23_interval(r12, r13)
    assert np.all(low < high)
    for end in (low, high):
        np.testing.assert_allclose(np.linalg.det(corr_from_pairs(r12, r13, end)), 0, atol=1e-12)
    eps = 1e-6
    for r23, valid in (
        (low + eps, True),
        (high - eps, True),
        (low - eps, False),
        (high + eps, False),
        ((low + high) / 2, True),
    ):
        lam = np.linalg.eigvalsh(corr_from_pairs(r12, r13, np.clip(r23, -1, 1)))[:, 0]
        inside = np.abs(r23) <= 1
        assert np.all((lam[inside] > 0) == valid)


def test_r23_interval_lecture_and_edges():
    low, high = r23_interval(*LECTURE[:2])
    assert not low < LECTURE[2] < high  # the lecture's -0.9 is outside
    assert r23_interval(0.0, 0.0) == (-1.0, 1.0)
    low, high = r23_interval(1.0, 0.5)
    assert low == high == 0.5
    with pytest.raises(
        ValueError, match=r"r12 is a correlation and must lie in \[-1, 1\]; got 1.2"
    ):
        r23_interval(1.2, 0.0)
    with pytest.raises(ValueError, match="r13"):
        r23_interval(0.0, np.nan)


@pytest.fixture(scope="module")
def cube():
    """Uniform points of [-1, 1]^3 (r12, r13, r23) and their 3 x 3 matrices."""
    r = np.random.default_rng(10).uniform(-1, 1, size=(100_000, 3))
    return r, corr_from_pairs(r[:, 0], r[:, 1], r[:, 2])


def test_uniform_cube_valid_fraction_is_pi_squared_over_16(cube):
    r, R = cube
    n = len(r)
    valid = is_valid_correlation(R)
    p = math.pi**2 / 16
    se = math.sqrt(p * (1 - p) / n)
    assert abs(valid.mean() - p) < 4.5 * se
    np.testing.assert_array_equal(valid, det3(r[:, 0], r[:, 1], r[:, 2]) > 0)


# --------------------------------------------------------------------------------------------
# LKJ density
# --------------------------------------------------------------------------------------------


def lkj_2009_log_normaliser(eta, d):
    """log c_d from Lewandowski, Kurowicka & Joe (2009), eq. (16): a different closed form."""
    inv = 0.0
    for k in range(1, d):
        b = eta + (d - k - 1) / 2
        inv += (2 * eta - 2 + d - k) * (d - k) * math.log(2) + (d - k) * special.betaln(b, b)
    return -inv


@pytest.mark.parametrize("d", [2, 3, 4, 5, 8])
@pytest.mark.parametrize("eta", [0.3, 1.0, 2.0, 7.5])
def test_lkj_constant_matches_lkj2009_closed_form(d, eta):
    # at the identity det R = 1, so the log density is the log normalising constant
    assert lkj_logpdf(np.eye(d), eta) == pytest.approx(lkj_2009_log_normaliser(eta, d), rel=1e-10)


def test_lkj_uniform_3x3_density_is_one_over_elliptope_volume():
    # the set of 3 x 3 correlation matrices has volume pi^2 / 2 (Rousseeuw & Molenberghs)
    rng = np.random.default_rng(11)
    R = sample_lkj(3, 1.0, size=10, seed=rng)
    np.testing.assert_allclose(np.exp(lkj_logpdf(R, 1.0)), 2 / math.pi**2, rtol=1e-12)


@pytest.mark.parametrize("eta", [0.6, 1.0, 2.0, 7.5])
def test_lkj_2x2_is_stretched_beta_and_integrates_to_one(eta):
    r = np.linspace(-0.99, 0.99, 41)
    logp = lkj_logpdf(corr_from_pairs(r, 0, 0)[:, :2, :2], eta)
    np.testing.assert_allclose(
        logp, stats.beta.logpdf((r + 1) / 2, eta, eta) - math.log(2), rtol=1e-10
    )
    total, _ = integrate.quad(
        lambda x: math.exp(lkj_logpdf([[1, x], [x, 1]], eta)), -1, 1, limit=200
    )
    assert total == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("eta", [1.0, 2.0, 5.0])
def test_lkj_3x3_integrates_to_one_monte_carlo(eta, cube):
    # integral over the cube [-1, 1]^3 of p(R) (0 outside the valid set) = 8 * E[p(U)]
    r, R = cube
    n = len(r)
    p = np.exp(lkj_logpdf(R, eta))
    assert np.all(p[det3(r[:, 0], r[:, 1], r[:, 2]) <= 0] == 0)
    values = 8 * p
    se = values.std(ddof=1) / math.sqrt(n)
    assert abs(values.mean() - 1) < 4.5 * se
    assert se < 0.01  # the test has power


def test_lkj_logpdf_proportional_to_det_power():
    rng = np.random.default_rng(13)
    R = random_corr(rng, 4, (6,))
    eta = 3.3
    logdet = np.linalg.slogdet(R)[1]
    diff = lkj_logpdf(R, eta) - (eta - 1) * logdet
    np.testing.assert_allclose(diff, diff[0], rtol=1e-10)


def test_lkj_logpdf_vectorised_and_broadcast():
    rng = np.random.default_rng(14)
    R = random_corr(rng, 3, (4,))
    eta = np.array([0.5, 1.0, 2.0, 4.0])
    out = lkj_logpdf(R, eta)
    assert out.shape == (4,)
    for k in range(4):
        assert out[k] == pytest.approx(lkj_logpdf(R[k], eta[k]))
    # several etas for one matrix
    assert lkj_logpdf(R[0], eta).shape == (4,)
    assert isinstance(lkj_logpdf(R[0], 2.0), float)


def test_lkj_logpdf_outside_support_is_minus_infinity():
    assert lkj_logpdf(corr_from_pairs(*LECTURE), 2.0) == -np.inf
    assert lkj_logpdf(corr_from_pairs(*FIELD_NOTES), 0.5) == -np.inf
    assert lkj_logpdf([[1.0, 0.2], [0.3, 1.0]], 2.0) == -np.inf  # not symmetric
    assert lkj_logpdf([[2.0, 0.2], [0.2, 1.0]], 2.0) == -np.inf  # not unit diagonal
    stack = np.stack([np.eye(3), corr_from_pairs(*LECTURE)])
    out = lkj_logpdf(stack, 1.0)
    assert np.isfinite(out[0]) and out[1] == -np.inf


@pytest.mark.parametrize(
    ("R", "eta", "match"),
    [
        (np.eye(2), 0.0, "eta .* must be a finite number > 0; got 0"),
        (np.eye(2), -1.0, "got -1"),
        (np.eye(2), np.nan, "eta"),
        (np.eye(1), 1.0, "d >= 2"),
        (np.ones(3), 1.0, "square"),
        ([[1.0, np.nan], [np.nan, 1.0]], 1.0, "NaN"),
    ],
)
def test_lkj_logpdf_bad_arguments(R, eta, match):
    with pytest.raises(ValueError, match=match):
        lkj_logpdf(R, eta)


# --------------------------------------------------------------------------------------------
# marginal of one entry
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("eta", "d"), [(1.0, 2), (2.0, 2), (0.5, 3), (1.0, 4), (3.0, 6)])
def test_lkj_marginal_is_beta_and_has_the_right_moments(eta, d):
    r = np.linspace(-0.999, 0.999, 101)
    a = eta - 1 + d / 2
    np.testing.assert_allclose(lkj_marginal_pdf(r, eta, d), stats.beta.pdf((r + 1) / 2, a, a) / 2)
    total = integrate.quad(lambda x: lkj_marginal_pdf(x, eta, d), -1, 1, limit=200)[0]
    mean = integrate.quad(lambda x: x * lkj_marginal_pdf(x, eta, d), -1, 1, limit=200)[0]
    var = integrate.quad(lambda x: x * x * lkj_marginal_pdf(x, eta, d), -1, 1, limit=200)[0]
    assert total == pytest.approx(1, abs=1e-7)
    assert mean == pytest.approx(0, abs=1e-7)
    assert var == pytest.approx(1 / (2 * eta + d - 1), rel=1e-6)


def test_lkj_marginal_for_d2_is_the_lkj_density():
    r = np.linspace(-0.95, 0.95, 21)
    np.testing.assert_allclose(
        lkj_marginal_pdf(r, 2.5, 2), np.exp(lkj_logpdf(corr_from_pairs(r, 0, 0)[:, :2, :2], 2.5))
    )


def test_lkj_marginal_outside_support_and_broadcasting():
    assert lkj_marginal_pdf(1.5, 2.0, 3) == 0.0
    out = lkj_marginal_pdf(np.zeros((3, 1)), np.array([1.0, 2.0]), 3)
    assert out.shape == (3, 2)


@pytest.mark.parametrize(
    ("eta", "d", "match"),
    [
        (0.0, 3, "eta"),
        (1.0, 1, "integer >= 2; got 1"),
        (1.0, 2.5, "integer >= 2; got 2.5"),
        (1.0, True, "integer >= 2"),
        (1.0, "3", "integer >= 2"),
    ],
)
def test_lkj_marginal_bad_arguments(eta, d, match):
    with pytest.raises(ValueError, match=match):
        lkj_marginal_pdf(0.0, eta, d)


# --------------------------------------------------------------------------------------------
# onion sampler
# --------------------------------------------------------------------------------------------


def test_sample_lkj_shapes_validity_and_reproducibility():
    R = sample_lkj(4, 1.5, size=(3, 5), seed=1)
    assert R.shape == (3, 5, 4, 4)
    assert np.all(is_valid_correlation(R))
    np.testing.assert_array_equal(np.diagonal(R, axis1=-2, axis2=-1), 1.0)
    np.testing.assert_array_equal(R, np.swapaxes(R, -1, -2))
    np.testing.assert_array_equal(R, sample_lkj(4, 1.5, size=(3, 5), seed=1))
    assert not np.allclose(R, sample_lkj(4, 1.5, size=(3, 5), seed=2))
    assert sample_lkj(2, 1.0, seed=0).shape == (2, 2)
    assert sample_lkj(3, 1.0, size=0).shape == (0, 3, 3)
    rng = np.random.default_rng(3)
    assert sample_lkj(3, 2.0, seed=rng).shape == (3, 3)


@pytest.mark.parametrize(("d", "eta"), [(2, 0.7), (4, 1.0), (5, 2.5)])
def test_onion_off_diagonals_follow_the_beta_marginal(d, eta):
    # Every off-diagonal entry, including those from the last onion steps, must have the
    # marginal (r + 1)/2 ~ Beta(eta - 1 + d/2, eta - 1 + d/2): KS test per entry.
    n = 3000
    R = sample_lkj(d, eta, size=n, seed=20 + d)
    a = eta - 1 + d / 2
    iu = np.triu_indices(d, 1)
    entries = R[:, iu[0], iu[1]]
    pvalues = [
        stats.kstest((entries[:, k] + 1) / 2, stats.beta(a, a).cdf).pvalue
        for k in range(entries.shape[1])
    ]
    assert min(pvalues) > 1e-3 / len(pvalues), pvalues
    # mean 0 and variance 1 / (2 eta + d - 1), pooled over entries, within 4.5 standard errors
    flat = entries.ravel()
    var = 1 / (2 * eta + d - 1)
    assert abs(entries[:, 0].mean()) < 4.5 * math.sqrt(var / n)
    sq = entries[:, -1] ** 2
    assert abs(sq.mean() - var) < 4.5 * sq.std(ddof=1) / math.sqrt(n)
    assert abs(flat.var() - var) < 0.1 * var


@pytest.mark.parametrize(("d", "eta"), [(3, 1.0), (4, 2.0), (5, 0.8)])
def test_onion_joint_distribution_determinant_moments(d, eta):
    # Under LKJ(eta), E[det(R)^s] = c_d(eta) / c_d(eta + s): a check of the joint distribution
    # (not just of marginals) against the LKJ (2009) closed form of the normalising constant.
    n = 20_000
    det = np.linalg.det(sample_lkj(d, eta, size=n, seed=30 + d))
    for s in (1, 2):
        expected = math.exp(lkj_2009_log_normaliser(eta, d) - lkj_2009_log_normaliser(eta + s, d))
        se = (det**s).std(ddof=1) / math.sqrt(n)
        assert abs((det**s).mean() - expected) < 4.5 * se, (s, (det**s).mean(), expected)


@pytest.mark.parametrize(
    ("d", "eta", "size", "match"),
    [
        (1, 1.0, None, "integer >= 2"),
        (3.0, 1.0, None, "integer >= 2"),
        (3, 0.0, None, "eta"),
        (3, [1.0, 2.0], None, "single number"),
        (3, 1.0, -1, "size"),
        (3, 1.0, (2, 1.5), "size"),
        (3, 1.0, "abc", "size"),
    ],
)
def test_sample_lkj_bad_arguments(d, eta, size, match):
    with pytest.raises(ValueError, match=match):
        sample_lkj(d, eta, size=size)


# --------------------------------------------------------------------------------------------
# multivariate normal via L z
# --------------------------------------------------------------------------------------------


def test_sample_mvnormal_moments_within_sampling_error():
    rng = np.random.default_rng(50)
    mean = np.array([1.0, -2.0, 0.5])
    cov = cov_from_sd_corr([2.0, 0.5, 1.0], random_corr(rng, 3))
    n = 40_000
    x = sample_mvnormal(mean, cov, size=n, seed=51)
    assert x.shape == (n, 3)
    se_mean = np.sqrt(np.diag(cov) / n)
    assert np.all(np.abs(x.mean(axis=0) - mean) < 4.5 * se_mean)
    # for Gaussian data Var(S_ij) = (S_ii S_jj + S_ij^2) / n
    sample_cov = np.cov(x.T)
    se_cov = np.sqrt((np.outer(np.diag(cov), np.diag(cov)) + cov**2) / n)
    assert np.all(np.abs(sample_cov - cov) < 4.5 * se_cov), (sample_cov, cov)


def test_sample_mvnormal_is_mean_plus_L_z():
    # the contract says "mean + L z": same seed, same standard normals
    cov = [[4.0, -1.6], [-1.6, 1.0]]
    x = sample_mvnormal([1.0, 2.0], cov, size=5, seed=7)
    z = np.random.default_rng(7).standard_normal((5, 2))
    np.testing.assert_allclose(x, [1.0, 2.0] + z @ np.linalg.cholesky(cov).T)


def test_sample_mvnormal_batches_and_sizes():
    rng = np.random.default_rng(52)
    covs = random_spd(rng, 2, (3,))
    means = rng.standard_normal((3, 2))
    assert sample_mvnormal(means, covs, seed=0).shape == (3, 2)
    assert sample_mvnormal(means, covs, size=(4, 5), seed=0).shape == (4, 5, 3, 2)
    assert sample_mvnormal(np.zeros(2), covs, size=7, seed=0).shape == (7, 3, 2)
    assert sample_mvnormal(np.zeros(2), np.eye(2)).shape == (2,)
    x = sample_mvnormal(means, covs, size=20_000, seed=1)
    for b in range(3):
        sd = np.sqrt(np.diag(covs[b]))
        assert np.all(np.abs(x[:, b].mean(axis=0) - means[b]) < 4.5 * sd / math.sqrt(20_000))
        np.testing.assert_allclose(np.cov(x[:, b].T), covs[b], rtol=0.1, atol=0.05)
    a = sample_mvnormal(means, covs, size=3, seed=9)
    np.testing.assert_array_equal(a, sample_mvnormal(means, covs, size=3, seed=9))


def test_sample_mvnormal_from_impossible_correlations():
    cov = cov_from_sd_corr([1.0, 2.0, 3.0], corr_from_pairs(*LECTURE))
    with pytest.raises(NotPositiveDefiniteError, match="smallest eigenvalue"):
        sample_mvnormal(np.zeros(3), cov, size=10, seed=0)


@pytest.mark.parametrize(
    ("mean", "cov", "size", "match"),
    [
        (np.zeros(3), np.eye(2), None, "last dimension 2"),
        (np.zeros((4, 2)), np.tile(np.eye(2), (3, 1, 1)), None, "broadcast"),
        ([0.0, np.nan], np.eye(2), None, "NaN"),
        (np.zeros(2), np.eye(2), -3, "size"),
        (np.zeros(2), [[1.0, 0.3], [0.0, 1.0]], None, "symmetric"),
    ],
)
def test_sample_mvnormal_bad_arguments(mean, cov, size, match):
    with pytest.raises(ValueError, match=match):
        sample_mvnormal(mean, cov, size=size, seed=0)


def test_module_imports_only_numpy_scipy_and_stdlib():
    import ast
    import sys

    tree = ast.parse(Path(cv.__file__).read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            roots.add(node.module.split(".")[0])
    assert roots - sys.stdlib_module_names <= {"numpy", "scipy"}, roots


def test_public_names_have_examples():
    for name in cv.__all__:
        doc = getattr(cv, name).__doc__ or ""
        if name != "NotPositiveDefiniteError":
            assert "Examples" in doc and ">>>" in doc, name


# --------------------------------------------------------------------------------------------
# against PyMC's own LKJ logp
# --------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_lkj_logpdf_matches_pymc():
    # PyMC 6's LKJCorr is a distribution over the Cholesky factor L (R = L L^T). Its logp is
    # the density of R times the Jacobian of R -> L, prod_i L_ii^(d - i) (i one-based), so
    #   log p_R(R) = pm logp(L) - sum_i (d - i) log L_ii.
    # (Row i of R below the diagonal is a linear map of row i of L with matrix L[:i, :i],
    # whose determinant is prod_{j<i} L_jj; multiplying over rows gives the Jacobian.)
    pytensor = pytest.importorskip("pytensor")
    pm = pytest.importorskip("pymc")
    pt = pytest.importorskip("pytensor.tensor")

    rng = np.random.default_rng(60)
    for d in (2, 3, 5):
        value = pt.tensor3("L")
        eta = pt.scalar("eta")
        logp_fn = pytensor.function(
            [value, eta], pm.LKJCorr.logp(value, d, eta), mode="FAST_COMPILE"
        )
        R = random_corr(rng, d, (4,))
        L = np.linalg.cholesky(R)
        jacobian = np.sum(
            (d - np.arange(1, d + 1)) * np.log(np.diagonal(L, axis1=-2, axis2=-1)), axis=-1
        )
        for e in (0.5, 1.0, 2.0, 6.0):
            ours = lkj_logpdf(R, e)
            theirs = logp_fn(L, e) - jacobian
            np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-8)
