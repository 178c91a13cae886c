"""Reference values for the Mann-Whitney U tests, from scipy.stats.mannwhitneyu.

Regenerate (Debian: apt-get install python3-scipy) with
    python3 make_mannwhitney_reference.py > mannwhitney-scipy.json
Written with scipy 1.10.1 and numpy 1.24.2. Nothing in the build or the tests runs this script.

Each case gives the samples, the alternative, the method the judge is expected to choose (exact when
there are no ties and n1 * n2 <= 2500, otherwise the normal approximation with tie and continuity
correction) and scipy's U of the first sample and p-value for that method.
"""
import json
import sys

import numpy as np
import scipy
from scipy.stats import mannwhitneyu

EXACT_LIMIT = 2500
ALTERNATIVES = ("two-sided", "greater", "less")


def has_ties(x, y):
    pooled = list(x) + list(y)
    return len(set(pooled)) != len(pooled)


def case(name, x, y):
    x = [float(v) for v in x]
    y = [float(v) for v in y]
    method = "asymptotic" if has_ties(x, y) or len(x) * len(y) > EXACT_LIMIT else "exact"
    results = []
    for alternative in ALTERNATIVES:
        r = mannwhitneyu(x, y, alternative=alternative, method=method, use_continuity=True)
        results.append({"alternative": alternative, "u1": float(r.statistic), "p": float(r.pvalue)})
    return {"name": name, "method": method, "x": x, "y": y, "results": results}


def main():
    rng = np.random.default_rng(20261202)
    cases = [
        # Conover, Practical Nonparametric Statistics: ages at diagnosis (scipy's documented example).
        case("conover-ages", [19, 22, 16, 29, 24], [20, 11, 17, 12]),
        # Hollander and Wolfe (R's wilcox.test example): permeability constants.
        case("hollander-wolfe", [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46],
             [1.15, 0.88, 0.90, 0.74, 1.21]),
        case("one-against-five", [3.5], [1, 2, 3, 4, 5]),
        # Complete separation: the smallest exact p-values.
        case("separated-10x10", range(11, 21), range(1, 11)),
    ]
    # Latencies without ties, shifted green, small to medium sizes: exact.
    for n1, n2, shift in [(3, 4, 0.0), (6, 6, 0.5), (8, 7, 1.0), (10, 10, 0.8), (12, 15, -0.6),
                          (20, 20, 0.4), (25, 40, 0.3), (50, 50, 0.2), (15, 15, 3.0), (30, 40, 1.5)]:
        x = np.round(rng.lognormal(3.0 + shift * 0.2, 0.4, n1), 6)
        y = np.round(rng.lognormal(3.0, 0.4, n2), 6)
        if not has_ties(x, y):
            cases.append(case(f"latency-exact-{n1}x{n2}", x, y))
    # Larger samples without ties: normal approximation.
    for n1, n2, shift in [(51, 50, 0.1), (60, 80, 0.05), (200, 150, -0.05)]:
        x = np.round(rng.lognormal(3.0 + shift, 0.4, n1), 6)
        y = np.round(rng.lognormal(3.0, 0.4, n2), 6)
        cases.append(case(f"latency-asymptotic-{n1}x{n2}", x, y))
    # Error counts per interval: many ties, mostly zeros.
    for n1, n2, lam_green, lam_blue in [(10, 10, 0.8, 0.2), (12, 12, 0.3, 0.3), (30, 30, 2.0, 1.0),
                                         (15, 40, 0.1, 0.5), (5, 6, 3.0, 1.0)]:
        x = rng.poisson(lam_green, n1)
        y = rng.poisson(lam_blue, n2)
        cases.append(case(f"errors-{n1}x{n2}", x, y))
    # Latencies rounded to whole milliseconds: a few ties.
    x = np.round(rng.normal(120, 15, 25))
    y = np.round(rng.normal(110, 15, 25))
    cases.append(case("latency-rounded-25x25", x, y))
    # Constant green above constant blue: two tie groups.
    cases.append(case("constant-sides", [1] * 10, [0] * 10))

    json.dump({"generator": "scipy.stats.mannwhitneyu", "scipy": scipy.__version__, "numpy": np.__version__,
               "exactLimit": EXACT_LIMIT, "cases": cases}, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
