//! DynamoDB numbers: exact decimals with up to 38 significant digits and a
//! magnitude between 1E-130 and 9.99...E+125. Never `f64`.
//!
//! A number is kept normalised as `sign × 0.DIGITS × 10^exp` with no leading or
//! trailing zeros in `DIGITS`, which makes ordering and canonical formatting
//! cheap string work. Arithmetic goes through `bigdecimal`.

use bigdecimal::BigDecimal;
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// Most significant digits DynamoDB stores.
pub const MAX_DIGITS: usize = 38;
/// Scientific exponents (`d.ddd × 10^e`) DynamoDB accepts.
const MAX_SCI_EXP: i64 = 125;
const MIN_SCI_EXP: i64 = -130;

/// Equality, ordering and hashing are by value; the text a number was
/// written with (kept by [`Number::parse_written`]) only matters on output.
#[derive(Clone)]
pub struct Number {
    negative: bool,
    /// The significant digits (the first `digits_len` bytes: ASCII '0'..='9',
    /// no leading/trailing zeros, none for zero), then, for a number written
    /// in another form than the canonical one, its text as written. One
    /// allocation, and `digits_len` fits in padding: no size cost.
    buf: Box<str>,
    digits_len: u8,
    /// value = 0.digits × 10^exp
    exp: i32,
}

impl PartialEq for Number {
    fn eq(&self, other: &Number) -> bool {
        self.negative == other.negative && self.exp == other.exp && self.digits() == other.digits()
    }
}

impl Eq for Number {}

impl std::hash::Hash for Number {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (self.negative, self.digits(), self.exp).hash(state)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberError {
    /// Not a number at all.
    Invalid,
    Overflow,
    Underflow,
    TooPrecise,
}

impl NumberError {
    /// DynamoDB's message for this rejection.
    pub fn message(self) -> &'static str {
        match self {
            NumberError::Invalid => "A value provided cannot be converted into a number",
            NumberError::Overflow => {
                "Number overflow. Attempting to store a number with magnitude larger than supported range"
            }
            NumberError::Underflow => {
                "Number underflow. Attempting to store a number with magnitude smaller than supported range"
            }
            NumberError::TooPrecise => "DynamoDB only supports precision up to 38 digits",
        }
    }
}

impl Number {
    /// The number's parts as a stored item keeps them (`storage::stored`):
    /// sign, exponent, digits followed by the text as written, digit count.
    pub(crate) fn raw_parts(&self) -> (bool, i32, &str, u8) {
        (self.negative, self.exp, &self.buf, self.digits_len)
    }

    /// The inverse of [`Number::raw_parts`]; only for parts it returned.
    pub(crate) fn from_raw_parts(negative: bool, exp: i32, buf: &str, digits_len: u8) -> Number {
        Number { negative, buf: buf.into(), digits_len, exp }
    }

    pub fn zero() -> Number {
        Number { negative: false, buf: "".into(), digits_len: 0, exp: 0 }
    }

    pub fn is_zero(&self) -> bool {
        self.digits_len == 0
    }

    fn digits(&self) -> &str {
        &self.buf[..self.digits_len as usize]
    }

    /// [`Number::parse`], keeping the text as written when it is not the
    /// canonical form: DynamoDB returns numbers inside lists and maps that way.
    pub fn parse_written(text: &str) -> Result<Number, NumberError> {
        let number = Number::parse(text)?;
        if number.is_canonical_text(text) {
            return Ok(number);
        }
        let buf = format!("{}{text}", number.digits()).into_boxed_str();
        Ok(Number { buf, ..number })
    }

    /// Whether `text` is this number's canonical form (compared as it is
    /// formatted, without allocating).
    fn is_canonical_text(&self, text: &str) -> bool {
        struct Rest<'a>(&'a str);
        impl fmt::Write for Rest<'_> {
            fn write_str(&mut self, s: &str) -> fmt::Result {
                self.0 = self.0.strip_prefix(s).ok_or(fmt::Error)?;
                Ok(())
            }
        }
        let mut rest = Rest(text);
        fmt::write(&mut rest, format_args!("{self}")).is_ok() && rest.0.is_empty()
    }

    /// Drops the text as written (a number stored at the top level of an
    /// item, where DynamoDB keeps only the value).
    pub fn forget_written(&mut self) {
        if self.buf.len() > self.digits_len as usize {
            self.buf = self.digits().into();
        }
    }

    /// The text this number was written with, or its canonical form.
    pub fn written(&self) -> std::borrow::Cow<'_, str> {
        match &self.buf[self.digits_len as usize..] {
            "" => self.to_string().into(),
            text => text.into(),
        }
    }

    /// Parses DynamoDB's number syntax (optional sign, digits with an optional
    /// point, optional exponent) and checks range, then precision (dynalite's
    /// order for a number written in a request).
    pub fn parse(text: &str) -> Result<Number, NumberError> {
        Number::parse_checking(text, false)
    }

    /// [`Number::parse`], the precision checked before the range when
    /// `precision_first` (an arithmetic result, as DynamoDB Local checks one).
    fn parse_checking(text: &str, precision_first: bool) -> Result<Number, NumberError> {
        let bytes = text.as_bytes();
        let mut i = 0;
        let mut negative = false;
        if i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
            negative = bytes[i] == b'-';
            i += 1;
        }
        let mut mantissa = String::new();
        let mut point_pos: Option<usize> = None;
        let mut seen_digit = false;
        while i < bytes.len() {
            match bytes[i] {
                b'0'..=b'9' => {
                    mantissa.push(bytes[i] as char);
                    seen_digit = true;
                }
                b'.' if point_pos.is_none() => point_pos = Some(mantissa.len()),
                _ => break,
            }
            i += 1;
        }
        if !seen_digit {
            return Err(NumberError::Invalid);
        }
        let mut exponent: i64 = 0;
        if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
            i += 1;
            let mut exp_negative = false;
            if i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
                exp_negative = bytes[i] == b'-';
                i += 1;
            }
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                // Saturate: anything this large is out of range anyway.
                exponent = (exponent * 10 + (bytes[i] - b'0') as i64).min(1_000_000_000);
                i += 1;
            }
            if i == start {
                return Err(NumberError::Invalid);
            }
            if exp_negative {
                exponent = -exponent;
            }
        }
        if i != bytes.len() {
            return Err(NumberError::Invalid);
        }
        // value = 0.mantissa × 10^(int_len + exponent)
        let int_len = point_pos.unwrap_or(mantissa.len()) as i64;
        let leading = mantissa.bytes().take_while(|&b| b == b'0').count();
        let trimmed = mantissa[leading..].trim_end_matches('0');
        if trimmed.is_empty() {
            return Ok(Number::zero());
        }
        let exp = int_len + exponent - leading as i64;
        let sci = exp - 1;
        if precision_first && trimmed.len() > MAX_DIGITS {
            return Err(NumberError::TooPrecise);
        }
        if sci > MAX_SCI_EXP {
            return Err(NumberError::Overflow);
        }
        if sci < MIN_SCI_EXP {
            return Err(NumberError::Underflow);
        }
        if trimmed.len() > MAX_DIGITS {
            return Err(NumberError::TooPrecise);
        }
        // At most MAX_DIGITS (38) digits: the length fits in a u8.
        Ok(Number { negative, buf: trimmed.into(), digits_len: trimmed.len() as u8, exp: exp as i32 })
    }

    /// Number of significant digits (used for DynamoDB's size accounting).
    pub fn significant_digits(&self) -> usize {
        self.digits_len as usize
    }

    /// Storage size as DynamoDB accounts it. The developer guide gives "about
    /// one byte per two significant digits, plus one"; exactly (as DynamoDB
    /// Local counts, measured): one byte per base-100 digit of the value
    /// aligned on the decimal point ("1.5" is 01.50: two), plus one, plus one
    /// more for a negative number.
    pub fn size(&self) -> usize {
        if self.is_zero() {
            return 1;
        }
        // Digit i (from 1) stands at decimal position exp - i; positions 2k
        // and 2k+1 share a base-100 digit.
        let (exp, len) = (i64::from(self.exp), i64::from(self.digits_len));
        let pairs = (exp - 1).div_euclid(2) - (exp - len).div_euclid(2) + 1;
        pairs as usize + 1 + usize::from(self.negative)
    }

    pub fn to_big_decimal(&self) -> BigDecimal {
        // Infallible: our canonical form is always valid decimal syntax.
        BigDecimal::from_str(&self.to_string()).unwrap_or_default()
    }

    /// Converts an arithmetic result back, applying DynamoDB's limits. A
    /// result of more than 38 digits is refused for its precision before
    /// its magnitude, as DynamoDB Local answers (`SET n = :a + :a` with
    /// 9.99…9E+125; found by the differential run). A number *written* in a
    /// request is checked for magnitude first ([`Number::parse`], dynalite's order).
    pub fn from_big_decimal(value: &BigDecimal) -> Result<Number, NumberError> {
        Number::parse_checking(&value.to_scientific_notation(), true)
    }

    pub fn checked_add(&self, other: &Number) -> Result<Number, NumberError> {
        Number::from_big_decimal(&(self.to_big_decimal() + other.to_big_decimal()))
    }

    pub fn checked_sub(&self, other: &Number) -> Result<Number, NumberError> {
        Number::from_big_decimal(&(self.to_big_decimal() - other.to_big_decimal()))
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Number) -> Ordering {
        let sign = |n: &Number| -> i8 {
            if n.is_zero() {
                0
            } else if n.negative {
                -1
            } else {
                1
            }
        };
        let (a, b) = (sign(self), sign(other));
        if a != b || a == 0 {
            return a.cmp(&b);
        }
        // Same sign, both non-zero: compare magnitudes, then flip for negatives.
        let magnitude = self.exp.cmp(&other.exp).then_with(|| self.digits().cmp(other.digits()));
        if a < 0 {
            magnitude.reverse()
        } else {
            magnitude
        }
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Number) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Canonical plain notation, as DynamoDB returns numbers ("1E+3" reads back as "1000").
impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_zero() {
            return f.write_str("0");
        }
        if self.negative {
            f.write_str("-")?;
        }
        let digits = self.digits();
        let len = digits.len() as i32;
        if self.exp <= 0 {
            f.write_str("0.")?;
            for _ in 0..-self.exp {
                f.write_str("0")?;
            }
            f.write_str(digits)
        } else if self.exp >= len {
            f.write_str(digits)?;
            for _ in 0..(self.exp - len) {
                f.write_str("0")?;
            }
            Ok(())
        } else {
            let (int, frac) = digits.split_at(self.exp as usize);
            write!(f, "{int}.{frac}")
        }
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Number({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        Number::parse(s).unwrap().to_string()
    }

    #[test]
    fn sizes_count_base_100_digits_as_dynamodb_local_does() {
        // Measured against DynamoDB Local 3.3.1.
        let cases = [
            ("0", 1),
            ("1", 2),
            ("12", 2),
            ("123", 3),
            ("12345", 4),
            ("0.1", 2),
            ("0.123", 3),
            ("1.5", 3),
            ("12.34", 3),
            ("100", 2),
            ("10000", 2),
            ("10.5", 3),
            ("100.5", 4),
            ("0.001", 2),
            ("-1", 3),
            ("-123", 4),
            ("-0.5", 3),
            ("-1.5", 4),
            ("1E+100", 2),
            ("1.2E-100", 3),
            ("9.9999999999999999999999999999999999999E+125", 20),
            ("12345678901234567890123456789012345678", 20),
            ("-12345678901234567890123456789012345678", 21),
        ];
        for (text, size) in cases {
            assert_eq!(Number::parse(text).unwrap().size(), size, "{text}");
        }
    }

    #[test]
    fn written_text_is_kept_apart_from_the_value() {
        let written = Number::parse_written("+1.50e1").unwrap();
        assert_eq!(written.to_string(), "15");
        assert_eq!(written.written(), "+1.50e1");
        // Equality, order and hashing are by value.
        let canonical = Number::parse("15").unwrap();
        assert_eq!(written, canonical);
        assert_eq!(written.cmp(&canonical), Ordering::Equal);
        let hash = |n: &Number| {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            n.hash(&mut h);
            h.finish()
        };
        assert_eq!(hash(&written), hash(&canonical));
        assert_eq!(written.size(), canonical.size());
        // Canonical text keeps nothing extra; zero keeps its text too.
        assert_eq!(Number::parse_written("15").unwrap().written(), "15");
        assert_eq!(Number::parse_written("1").unwrap().buf.len(), 1);
        let zero = Number::parse_written("-0.00").unwrap();
        assert!(zero.is_zero());
        assert_eq!((zero.to_string().as_str(), &*zero.written()), ("0", "-0.00"));
        let mut forgotten = written.clone();
        forgotten.forget_written();
        assert_eq!((forgotten.buf.len(), &*forgotten.written()), (2, "15"));
        // No size cost: the text shares the digits' allocation.
        assert_eq!(std::mem::size_of::<Number>(), 24);
    }

    #[test]
    fn canonical_forms() {
        assert_eq!(canon("0001.500"), "1.5");
        assert_eq!(canon("-0.0"), "0");
        assert_eq!(canon("1E+3"), "1000");
        assert_eq!(canon("12.3400e-2"), "0.1234");
        assert_eq!(canon("-.5"), "-0.5");
        assert_eq!(canon("5."), "5");
        assert_eq!(canon("+7"), "7");
        assert_eq!(canon("1e-130"), format!("0.{}1", "0".repeat(129)));
    }

    #[test]
    fn limits() {
        assert_eq!(Number::parse("abc"), Err(NumberError::Invalid));
        assert_eq!(Number::parse(""), Err(NumberError::Invalid));
        assert_eq!(Number::parse("1e"), Err(NumberError::Invalid));
        assert_eq!(Number::parse(" 1"), Err(NumberError::Invalid));
        assert_eq!(Number::parse("1e126"), Err(NumberError::Overflow));
        assert!(Number::parse("9.9999999999999999999999999999999999999e125").is_ok());
        assert_eq!(Number::parse("1e-131"), Err(NumberError::Underflow));
        assert_eq!(Number::parse(&"1".repeat(39)), Err(NumberError::TooPrecise));
        assert!(Number::parse(&format!("{}000", "1".repeat(38))).is_ok());
        assert_eq!(Number::parse("1e99999999999999999999"), Err(NumberError::Overflow));
    }

    #[test]
    fn ordering_is_numeric() {
        let sorted = ["-100", "-2.5", "-2", "-0.001", "0", "0.001", "0.01", "1", "1.5", "2", "10", "100"];
        for pair in sorted.windows(2) {
            let (a, b) = (Number::parse(pair[0]).unwrap(), Number::parse(pair[1]).unwrap());
            assert!(a < b, "{} < {}", pair[0], pair[1]);
        }
        assert_eq!(Number::parse("1.0").unwrap(), Number::parse("1").unwrap());
    }

    #[test]
    fn arithmetic_is_exact() {
        let a = Number::parse("0.1").unwrap();
        let b = Number::parse("0.2").unwrap();
        assert_eq!(a.checked_add(&b).unwrap().to_string(), "0.3");
        let big = Number::parse("9.9999999999999999999999999999999999999e125").unwrap();
        assert_eq!(big.checked_add(&big), Err(NumberError::TooPrecise), "39 digits: precision first");
        let nine = Number::parse("9e125").unwrap();
        assert_eq!(nine.checked_add(&nine), Err(NumberError::Overflow));
        let tiny = Number::parse("1.0000000000000000000000000000000000001e-129").unwrap();
        assert_eq!(tiny.checked_sub(&Number::parse("1e-129").unwrap()), Err(NumberError::Underflow));
    }
}
