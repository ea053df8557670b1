//! What a search is asked to do (`SearchSpec`, read from the page's JSON) and every way it can be
//! wrong (`SearchError`, each naming the parameter and the value at fault).

use crate::math;
use serde::Deserialize;
use std::fmt;

/// Most trials one search may have: the page trains each one, and 64 short runs already take minutes
/// on two cores.
pub const MAX_TRIALS: usize = 64;

/// The hyperparameters a search may vary (the page's setting keys, www/state.js) with the range the
/// trainer accepts for each: (key, lowest, highest, is the highest itself allowed). Only numbers whose
/// effect shows within a short run; the others are fixed by the page's settings.
pub const SEARCHABLE: [(&str, f64, f64, bool); 5] = [
    ("learningRate", 0.0, 100.0, true),
    ("weightDecay", 0.0, 1.0, true),
    ("dropRate", 0.0, 1.0, false),
    ("momentum", 0.0, 1.0, false),
    ("labelSmoothing", 0.0, 1.0, false),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    Grid,
    Random,
}

/// How values are spaced along an axis: `Log` spaces them evenly in log10 (the lecture's "often
/// space choices log-linearly": 1e-4, 1e-3, 1e-2, 1e-1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    Log,
    Linear,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Param {
    pub key: String,
    pub min: f64,
    pub max: f64,
    pub scale: Scale,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchSpec {
    pub method: Method,
    /// K, the number of trials asked for (grid search runs the largest square lattice ≤ K).
    pub trials: usize,
    #[serde(default)]
    pub seed: u64,
    pub params: Vec<Param>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SearchError {
    /// The JSON is not a search spec (a missing field, an unknown method or scale, ...).
    Malformed(String),
    TooManyTrials {
        trials: usize,
    },
    NoTrials,
    ParamCount {
        count: usize,
    },
    UnknownKey {
        key: String,
    },
    SameKey {
        key: String,
    },
    NotFinite {
        key: String,
    },
    EmptyRange {
        key: String,
        min: f64,
        max: f64,
    },
    NonPositiveLogBound {
        key: String,
        bound: f64,
    },
    OutOfRange {
        key: String,
        min: f64,
        max: f64,
        lowest: f64,
        highest: f64,
        highest_allowed: bool,
    },
}

impl fmt::Display for SearchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use SearchError::*;
        match self {
            Malformed(m) => write!(f, "search: {m}"),
            TooManyTrials { trials } => {
                write!(f, "search: {trials} trials is more than the {MAX_TRIALS} allowed")
            }
            NoTrials => write!(f, "search: needs at least 1 trial, got 0"),
            ParamCount { count } => {
                write!(
                    f,
                    "search: needs exactly two hyperparameters (the plane's two axes), got {count}"
                )
            }
            UnknownKey { key } => {
                let known: Vec<&str> = SEARCHABLE.iter().map(|s| s.0).collect();
                write!(
                    f,
                    "search: unknown hyperparameter \"{key}\" (one of {})",
                    known.join(", ")
                )
            }
            SameKey { key } => write!(f, "search: both axes are \"{key}\": choose two different ones"),
            NotFinite { key } => write!(f, "search: the range of {key} must be two finite numbers"),
            EmptyRange { key, min, max } => write!(
                f,
                "search: the range of {key} is empty (min {min} is not below max {max})"
            ),
            NonPositiveLogBound { key, bound } => write!(
                f,
                "search: {key} is on a log scale, so its range must be above 0 (got {bound}); \
                 use a linear scale to include 0"
            ),
            OutOfRange {
                key,
                min,
                max,
                lowest,
                highest,
                highest_allowed,
            } => write!(
                f,
                "search: the range {min}…{max} of {key} leaves what the trainer accepts ({lowest} to \
                 {highest}{})",
                if *highest_allowed { "" } else { ", not included" }
            ),
        }
    }
}

impl std::error::Error for SearchError {}

impl SearchSpec {
    /// Parses and validates the page's JSON spec; the error names the field or value at fault.
    pub fn from_value(value: serde_json::Value) -> Result<Self, SearchError> {
        let spec: Self = serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.inner().to_string();
            SearchError::Malformed(if path == "." {
                inner
            } else {
                format!("{path}: {inner}")
            })
        })?;
        spec.validate()?;
        Ok(spec)
    }

    pub fn validate(&self) -> Result<(), SearchError> {
        if self.trials == 0 {
            return Err(SearchError::NoTrials);
        }
        if self.trials > MAX_TRIALS {
            return Err(SearchError::TooManyTrials { trials: self.trials });
        }
        if self.params.len() != 2 {
            return Err(SearchError::ParamCount {
                count: self.params.len(),
            });
        }
        if self.params[0].key == self.params[1].key {
            return Err(SearchError::SameKey {
                key: self.params[0].key.clone(),
            });
        }
        self.params.iter().try_for_each(Param::validate)
    }
}

impl Param {
    fn validate(&self) -> Result<(), SearchError> {
        let key = self.key.clone();
        let Some(&(_, lowest, highest, highest_allowed)) = SEARCHABLE.iter().find(|s| s.0 == self.key) else {
            return Err(SearchError::UnknownKey { key });
        };
        if !self.min.is_finite() || !self.max.is_finite() {
            return Err(SearchError::NotFinite { key });
        }
        if self.min >= self.max {
            return Err(SearchError::EmptyRange {
                key,
                min: self.min,
                max: self.max,
            });
        }
        if self.scale == Scale::Log && self.min <= 0.0 {
            return Err(SearchError::NonPositiveLogBound { key, bound: self.min });
        }
        let above = if highest_allowed {
            self.max > highest
        } else {
            self.max >= highest
        };
        if self.min < lowest || above {
            let (min, max) = (self.min, self.max);
            return Err(SearchError::OutOfRange {
                key,
                min,
                max,
                lowest,
                highest,
                highest_allowed,
            });
        }
        Ok(())
    }

    /// The value at position `u` ∈ [0, 1] along this axis, in its scale. The ends are the bounds
    /// exactly (10^log10(x) can be off in the last bit), and rounding never leaves the range.
    pub fn at(&self, u: f64) -> f64 {
        if u <= 0.0 {
            return self.min;
        }
        if u >= 1.0 {
            return self.max;
        }
        let v = match self.scale {
            Scale::Linear => self.min + u * (self.max - self.min),
            Scale::Log => {
                let (a, b) = (math::log10(self.min), math::log10(self.max));
                math::powf(10.0, a + u * (b - a))
            }
        };
        v.clamp(self.min, self.max)
    }
}
