"""Reference values for the numeric side-feature normalisation (NumericFeatureTests), an
independent NumPy implementation of the z-score with missing values (Merlin's FillMissing +
Normalize, TFRS's Normalization layer fitted on the present values):

    mean = mean(x_present),  sd = population std(x_present)  (ddof 0; 1 when it is 0)
    z_i  = (x_i - mean) / sd for a present x_i,  0 (the mean) for a missing one,  missing_i = 1.

Cases:
  A: raw [1995, -, 2001.5, 1987, -, 1995, 2010.25] (years, two missing);
  B: raw [3, 3, -, 3] (one distinct value: sd 0, taken as 1);
  C: raw [0.5, 2000, -] normalised with case A's mean and sd (a saved normalisation reused).
Prints mean, sd and the float32 z-scores.
Run: python3 Tests/TwoTowerTests/Reference/numeric_feature_reference.py
"""
import numpy as np


def zscore(raw, mean=None, sd=None):
    present = np.array([x for x in raw if x is not None], dtype=np.float64)
    if mean is None:
        mean = present.mean()
        sd = present.std(ddof=0)
        if sd == 0:
            sd = 1.0
    z = np.array([0.0 if x is None else (x - mean) / sd for x in raw], dtype=np.float64).astype(np.float32)
    missing = [int(x is None) for x in raw]
    return mean, sd, z, missing


a = [1995, None, 2001.5, 1987, None, 1995, 2010.25]
mean_a, sd_a, z_a, m_a = zscore(a)
print("A mean", repr(mean_a), "sd", repr(sd_a))
print("A z", [float(v) for v in z_a], "missing", m_a)
_, sd_b, z_b, m_b = zscore([3, 3, None, 3])
print("B sd", sd_b, "z", [float(v) for v in z_b], "missing", m_b)
_, _, z_c, m_c = zscore([0.5, 2000, None], mean_a, sd_a)
print("C z", [float(v) for v in z_c], "missing", m_c)
