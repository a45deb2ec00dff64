//! Arbitrary-precision numbers, as Terraform's `number` type has them.
//!
//! Terraform numbers are 512-bit binary floats parsed from decimal text; on
//! the wire they arrive as msgpack integers, floats, or decimal strings (when
//! neither fits exactly). [`Number`] keeps an exact decimal
//! (`±digits × 10^exponent`, normalized, so equality is numeric equality:
//! `1 == 1.0 == 10e-1`) plus the two infinities cty can produce. NaN does not
//! exist in Terraform and is not representable.
//!
//! Magnitudes are limited to decimal exponents within ±[`MAX_EXPONENT`]; that
//! covers every `f64` and every number a configuration plausibly holds, and
//! keeps hostile input like `1e999999999` from allocating gigabytes.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// Largest decimal exponent (of the leading digit) a [`Number`] may have;
/// the smallest is its negation minus the digits needed for `f64` subnormals.
pub const MAX_EXPONENT: i64 = 10_000;

/// An arbitrary-precision decimal number, or ±infinity.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Number(Repr);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    /// `(-1)^neg × digits × 10^exp`. `digits` are ASCII decimal digits with
    /// no leading or trailing zeros; zero is `neg = false, digits = "", exp = 0`.
    Finite {
        neg: bool,
        digits: String,
        exp: i64,
    },
    PosInf,
    NegInf,
}

/// A string was not a decimal number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    #[error("{0:?} is not a decimal number")]
    Syntax(String),
    #[error("{0:?} is too large or too small to represent")]
    OutOfRange(String),
}

impl Number {
    /// Zero.
    pub fn zero() -> Self {
        Number(Repr::Finite {
            neg: false,
            digits: String::new(),
            exp: 0,
        })
    }

    /// Positive infinity.
    pub fn pos_infinity() -> Self {
        Number(Repr::PosInf)
    }

    /// Negative infinity.
    pub fn neg_infinity() -> Self {
        Number(Repr::NegInf)
    }

    /// Builds from sign, raw digits (any leading/trailing zeros) and exponent.
    fn from_parts(neg: bool, raw_digits: &str, exp: i64) -> Self {
        let trimmed = raw_digits.trim_start_matches('0');
        let digits = trimmed.trim_end_matches('0');
        if digits.is_empty() {
            return Self::zero();
        }
        let exp = exp + (trimmed.len() - digits.len()) as i64;
        Number(Repr::Finite {
            neg,
            digits: digits.to_owned(),
            exp,
        })
    }

    /// Parses decimal text: `[+-]digits[.digits][(e|E)[+-]digits]`, or an
    /// infinity (`Inf`, `+Inf`, `-Inf`, `infinity`, any case).
    pub fn parse(s: &str) -> Result<Self, NumberError> {
        let syntax = || NumberError::Syntax(s.to_owned());
        let (neg, rest) = match (s.strip_prefix('-'), s.strip_prefix('+')) {
            (Some(rest), _) => (true, rest),
            (None, Some(rest)) => (false, rest),
            (None, None) => (false, s),
        };
        if rest.eq_ignore_ascii_case("inf") || rest.eq_ignore_ascii_case("infinity") {
            return Ok(if neg {
                Self::neg_infinity()
            } else {
                Self::pos_infinity()
            });
        }
        let (mantissa, exponent) = match rest.split_once(['e', 'E']) {
            Some((mantissa, exponent)) => (mantissa, Some(exponent)),
            None => (rest, None),
        };
        let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if int_part.len() + frac_part.len() == 0 || !all_digits(int_part) || !all_digits(frac_part)
        {
            return Err(syntax());
        }
        let exp: i64 = match exponent {
            None => 0,
            Some(e) => {
                let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                if digits.is_empty() || !all_digits(digits) {
                    return Err(syntax());
                }
                // Anything with more than 12 exponent digits is out of range anyway.
                let magnitude: i64 = if digits.trim_start_matches('0').len() > 12 {
                    return Err(NumberError::OutOfRange(s.to_owned()));
                } else {
                    digits.parse().map_err(|_| syntax())?
                };
                if e.starts_with('-') {
                    -magnitude
                } else {
                    magnitude
                }
            }
        };
        let mut raw = String::with_capacity(int_part.len() + frac_part.len());
        raw.push_str(int_part);
        raw.push_str(frac_part);
        let n = Self::from_parts(neg, &raw, exp - frac_part.len() as i64);
        if let Repr::Finite { digits, exp, .. } = &n.0 {
            let leading = exp + digits.len() as i64 - 1;
            if !digits.is_empty() && !(-MAX_EXPONENT - 800..=MAX_EXPONENT).contains(&leading) {
                return Err(NumberError::OutOfRange(s.to_owned()));
            }
        }
        Ok(n)
    }

    /// The exact value of an `f64` (`0.1` becomes
    /// `0.1000000000000000055511151231257827021181583404541015625`), or `None`
    /// for NaN. Used when decoding msgpack floats, so that a value Terraform
    /// sent as a float goes back as the very same float.
    pub fn from_f64_exact(f: f64) -> Option<Self> {
        if f.is_nan() {
            return None;
        }
        if f.is_infinite() {
            return Some(if f > 0.0 {
                Self::pos_infinity()
            } else {
                Self::neg_infinity()
            });
        }
        if f == 0.0 {
            return Some(Self::zero());
        }
        let bits = f.to_bits();
        let neg = bits >> 63 == 1;
        let exp_bits = ((bits >> 52) & 0x7ff) as i64;
        let frac = bits & ((1u64 << 52) - 1);
        let (mut m, mut e) = if exp_bits == 0 {
            (frac, -1074)
        } else {
            (frac | (1u64 << 52), exp_bits - 1075)
        };
        while m & 1 == 0 {
            m >>= 1;
            e += 1;
        }
        let mut big = BigDigits::from_u64(m);
        if e >= 0 {
            big.mul_pow(2, e as u32);
            Some(Self::from_parts(neg, &big.to_decimal(), 0))
        } else {
            // m × 2^e = m × 5^(-e) × 10^e
            big.mul_pow(5, (-e) as u32);
            Some(Self::from_parts(neg, &big.to_decimal(), e))
        }
    }

    /// The shortest decimal that reads back as `f` (`0.1` stays `0.1`), or
    /// `None` for NaN.
    pub fn from_f64(f: f64) -> Option<Self> {
        if !f.is_finite() {
            return Self::from_f64_exact(f);
        }
        Self::parse(&format!("{f:e}")).ok()
    }

    /// True for ±infinity.
    pub fn is_infinite(&self) -> bool {
        !matches!(self.0, Repr::Finite { .. })
    }

    /// True for whole numbers (infinities are not).
    pub fn is_integer(&self) -> bool {
        matches!(&self.0, Repr::Finite { exp, .. } if *exp >= 0)
    }

    /// True for numbers below zero (including -infinity).
    pub fn is_negative(&self) -> bool {
        matches!(self.0, Repr::NegInf | Repr::Finite { neg: true, .. })
    }

    fn as_i128_bounded(&self) -> Option<i128> {
        match &self.0 {
            Repr::Finite { neg, digits, exp } => {
                if digits.is_empty() {
                    return Some(0);
                }
                if *exp < 0 || digits.len() as i64 + exp > 20 {
                    return None;
                }
                let mut v: i128 = digits.parse().ok()?;
                for _ in 0..*exp {
                    v *= 10;
                }
                Some(if *neg { -v } else { v })
            }
            _ => None,
        }
    }

    /// The value as `i64` if it is a whole number in range.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_i128_bounded().and_then(|v| i64::try_from(v).ok())
    }

    /// The value as `u64` if it is a non-negative whole number in range.
    pub fn as_u64(&self) -> Option<u64> {
        self.as_i128_bounded().and_then(|v| u64::try_from(v).ok())
    }

    /// The nearest `f64` (may round; huge values become infinite).
    pub fn as_f64(&self) -> f64 {
        match &self.0 {
            Repr::PosInf => f64::INFINITY,
            Repr::NegInf => f64::NEG_INFINITY,
            Repr::Finite { neg, digits, exp } => {
                if digits.is_empty() {
                    return 0.0;
                }
                let sign = if *neg { "-" } else { "" };
                format!("{sign}{digits}e{exp}").parse().unwrap_or(0.0)
            }
        }
    }

    /// `Some(f)` when this number is exactly the `f64` `f` (infinities
    /// included).
    pub fn as_exact_f64(&self) -> Option<f64> {
        match &self.0 {
            Repr::PosInf => Some(f64::INFINITY),
            Repr::NegInf => Some(f64::NEG_INFINITY),
            Repr::Finite { digits, .. } => {
                // No finite f64 has more than 767 significant decimal digits.
                if digits.len() > 767 {
                    return None;
                }
                let f = self.as_f64();
                (f.is_finite() && Self::from_f64_exact(f).as_ref() == Some(self)).then_some(f)
            }
        }
    }
}

impl Default for Number {
    fn default() -> Self {
        Self::zero()
    }
}

impl FromStr for Number {
    type Err = NumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Number {
            fn from(v: $t) -> Self {
                let s = v.to_string();
                match s.strip_prefix('-') {
                    Some(digits) => Self::from_parts(true, digits, 0),
                    None => Self::from_parts(false, &s, 0),
                }
            }
        }
    )*};
}
from_int!(i8, i16, i32, i64, i128, u8, u16, u32, u64, u128, usize, isize);

/// The shortest decimal that reads back as the float (see
/// [`Number::from_f64`]). NaN, which Terraform cannot represent, becomes zero;
/// use [`Number::from_f64`] to catch it.
impl From<f64> for Number {
    fn from(f: f64) -> Self {
        Self::from_f64(f).unwrap_or_default()
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Self) -> Ordering {
        fn rank(n: &Number) -> i8 {
            match &n.0 {
                Repr::NegInf => -2,
                Repr::Finite { neg: true, .. } => -1,
                Repr::Finite { digits, .. } if digits.is_empty() => 0,
                Repr::Finite { .. } => 1,
                Repr::PosInf => 2,
            }
        }
        let (ra, rb) = (rank(self), rank(other));
        if ra != rb || ra.abs() != 1 {
            return ra.cmp(&rb);
        }
        let (
            Repr::Finite {
                digits: da,
                exp: ea,
                ..
            },
            Repr::Finite {
                digits: db,
                exp: eb,
                ..
            },
        ) = (&self.0, &other.0)
        else {
            return Ordering::Equal;
        };
        let magnitude = (da.len() as i64 + ea)
            .cmp(&(db.len() as i64 + eb))
            .then_with(|| da.as_str().cmp(db.as_str()));
        if ra < 0 {
            magnitude.reverse()
        } else {
            magnitude
        }
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Plain decimal notation without exponent (`1180591620717411303424`,
/// `0.00000000000000000001`), `+Inf` / `-Inf` for infinities: the way cty
/// prints numbers.
impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::PosInf => f.write_str("+Inf"),
            Repr::NegInf => f.write_str("-Inf"),
            Repr::Finite { neg, digits, exp } => {
                if digits.is_empty() {
                    return f.write_str("0");
                }
                if *neg {
                    f.write_str("-")?;
                }
                if *exp >= 0 {
                    f.write_str(digits)?;
                    for _ in 0..*exp {
                        f.write_str("0")?;
                    }
                    Ok(())
                } else {
                    let frac_len = (-exp) as usize;
                    if digits.len() > frac_len {
                        let (int, frac) = digits.split_at(digits.len() - frac_len);
                        write!(f, "{int}.{frac}")
                    } else {
                        f.write_str("0.")?;
                        for _ in 0..frac_len - digits.len() {
                            f.write_str("0")?;
                        }
                        f.write_str(digits)
                    }
                }
            }
        }
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Number({self})")
    }
}

/// Just enough unsigned big-integer arithmetic to expand an `f64` exactly:
/// base-10^9 limbs, least significant first.
struct BigDigits(Vec<u64>);

const LIMB: u64 = 1_000_000_000;

impl BigDigits {
    fn from_u64(mut v: u64) -> Self {
        let mut limbs = Vec::new();
        while v > 0 {
            limbs.push(v % LIMB);
            v /= LIMB;
        }
        BigDigits(limbs)
    }

    fn mul_small(&mut self, k: u64) {
        let mut carry = 0u64;
        for limb in &mut self.0 {
            let v = *limb * k + carry;
            *limb = v % LIMB;
            carry = v / LIMB;
        }
        while carry > 0 {
            self.0.push(carry % LIMB);
            carry /= LIMB;
        }
    }

    /// Multiplies by `base^power` for base 2 or 5, in chunks that keep each
    /// limb product below 2^64.
    fn mul_pow(&mut self, base: u64, mut power: u32) {
        let chunk = if base == 2 { 30 } else { 13 };
        while power > 0 {
            let p = power.min(chunk);
            self.mul_small(base.pow(p));
            power -= p;
        }
    }

    fn to_decimal(&self) -> String {
        let mut out = String::new();
        for (i, limb) in self.0.iter().rev().enumerate() {
            if i == 0 {
                out.push_str(&limb.to_string());
            } else {
                out.push_str(&format!("{limb:09}"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Number {
        Number::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn parse_and_display_table() {
        let cases = [
            ("0", "0"),
            ("-0", "0"),
            ("+0.000", "0"),
            ("1", "1"),
            ("1.0", "1"),
            ("001.500", "1.5"),
            ("-42", "-42"),
            ("0.1", "0.1"),
            (".5", "0.5"),
            ("5.", "5"),
            ("1e-20", "0.00000000000000000001"),
            ("1E3", "1000"),
            ("1.5e+2", "150"),
            ("-2.5e-1", "-0.25"),
            ("1180591620717411303424", "1180591620717411303424"),
            (
                "123456789012345678901234567890",
                "123456789012345678901234567890",
            ),
            (
                "123456789012345678901234567890.000000000000000000001",
                "123456789012345678901234567890.000000000000000000001",
            ),
            ("Inf", "+Inf"),
            ("+Inf", "+Inf"),
            ("-inf", "-Inf"),
            ("infinity", "+Inf"),
        ];
        for (input, want) in cases {
            assert_eq!(n(input).to_string(), want, "{input}");
            assert_eq!(n(want), n(input), "{input} re-parses");
        }
    }

    #[test]
    fn parse_rejects_table() {
        for bad in [
            "", "-", "+", ".", "e5", "1e", "1e+", "abc", "1.2.3", "0x10", "1_000", " 1", "1 ",
            "NaN", "1e5.5", "--1",
        ] {
            assert!(
                matches!(Number::parse(bad), Err(NumberError::Syntax(_))),
                "{bad:?}"
            );
        }
        for big in ["1e10001", "1e99999999999999999999", "-1e-20000"] {
            assert!(
                matches!(Number::parse(big), Err(NumberError::OutOfRange(_))),
                "{big:?}"
            );
        }
        // Zero with a silly exponent is still zero.
        assert_eq!(n("0e99999"), Number::zero());
    }

    #[test]
    fn equality_is_numeric() {
        assert_eq!(n("1"), n("1.0"));
        assert_eq!(n("1"), Number::from(1i64));
        assert_eq!(n("100"), n("1e2"));
        assert_eq!(n("0.10"), n("1e-1"));
        assert_ne!(n("0.1"), n("0.10000000000000001"));
        assert_eq!(Number::from(1.0f64), Number::from(1u64));
    }

    #[test]
    fn integer_conversions() {
        assert_eq!(Number::from(i64::MIN).as_i64(), Some(i64::MIN));
        assert_eq!(Number::from(i64::MAX).as_i64(), Some(i64::MAX));
        assert_eq!(Number::from(u64::MAX).as_i64(), None);
        assert_eq!(Number::from(u64::MAX).as_u64(), Some(u64::MAX));
        assert_eq!(Number::from(-1i32).as_u64(), None);
        assert_eq!(n("1.5").as_i64(), None);
        assert_eq!(n("1e3").as_i64(), Some(1000));
        assert_eq!(n("1e30").as_i64(), None);
        assert_eq!(n("+Inf").as_i64(), None);
        assert_eq!(n("0").as_i64(), Some(0));
        assert_eq!(
            Number::from(1u128 << 70).to_string(),
            "1180591620717411303424"
        );
    }

    #[test]
    fn float_conversions() {
        assert_eq!(Number::from(0.1f64).to_string(), "0.1");
        assert_eq!(Number::from(-2.5f64).to_string(), "-2.5");
        assert_eq!(Number::from(1e-20f64).to_string(), "0.00000000000000000001");
        assert_eq!(Number::from(f64::INFINITY), Number::pos_infinity());
        assert_eq!(Number::from_f64(f64::NAN), None);
        assert_eq!(Number::from(f64::NAN), Number::zero());
        assert_eq!(
            Number::from_f64_exact(0.1).unwrap().to_string(),
            "0.1000000000000000055511151231257827021181583404541015625"
        );
        assert_eq!(Number::from_f64_exact(0.5).unwrap(), n("0.5"));
        assert_eq!(Number::from_f64_exact(-3.0).unwrap(), n("-3"));
        assert_eq!(
            Number::from_f64_exact(2f64.powi(70)).unwrap(),
            n("1180591620717411303424")
        );
        assert_eq!(
            Number::from_f64_exact(f64::MAX).unwrap().to_string().len(),
            309
        );
        let tiny = Number::from_f64_exact(f64::from_bits(1)).unwrap();
        assert!(tiny.to_string().starts_with("0.000"));
        assert_eq!(tiny.as_exact_f64(), Some(f64::from_bits(1)));
        assert_eq!(n("0.1").as_f64(), 0.1);
        assert_eq!(n("1e-20").as_f64(), 1e-20);
        assert_eq!(n("-Inf").as_f64(), f64::NEG_INFINITY);
    }

    #[test]
    fn exact_f64_detection() {
        assert_eq!(n("0.5").as_exact_f64(), Some(0.5));
        assert_eq!(n("1e300").as_exact_f64(), None);
        assert_eq!(n("0.1").as_exact_f64(), None);
        assert_eq!(n("9007199254740993").as_exact_f64(), None);
        assert_eq!(
            n("9007199254740992").as_exact_f64(),
            Some(9007199254740992.0)
        );
        assert_eq!(n("+Inf").as_exact_f64(), Some(f64::INFINITY));
        assert_eq!(n("1e1000").as_exact_f64(), None);
        for f in [0.1, 1e-20, 123.456, -7.25, f64::MIN_POSITIVE, 1e308] {
            let exact = Number::from_f64_exact(f).unwrap();
            assert_eq!(exact.as_exact_f64(), Some(f), "{f}");
        }
    }

    #[test]
    fn ordering() {
        let ascending = [
            "-Inf", "-1e10", "-2", "-1.5", "-0.001", "0", "0.001", "0.01", "1", "1.5", "2", "10",
            "1e10", "+Inf",
        ];
        for w in ascending.windows(2) {
            assert!(n(w[0]) < n(w[1]), "{} < {}", w[0], w[1]);
        }
        assert_eq!(n("1.0").cmp(&n("1")), Ordering::Equal);
    }

    #[test]
    fn predicates() {
        assert!(n("3").is_integer());
        assert!(!n("3.1").is_integer());
        assert!(!n("Inf").is_integer());
        assert!(n("-Inf").is_negative());
        assert!(!n("0").is_negative());
        assert!(n("Inf").is_infinite());
    }
}
