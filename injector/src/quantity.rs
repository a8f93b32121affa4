//! Kubernetes resource quantities (`250m`, `1.5`, `512Mi`, `1e3`), just enough to reject
//! malformed annotations and to compare a limit with its request. The API server does the
//! authoritative parse; a wrong quantity caught here gets a message that names the annotation.

/// A non-negative quantity, as a value in base units. `f64` is exact enough for
/// comparing resource amounts and keeps this small.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Quantity(f64);

impl Quantity {
    /// Parses the canonical Kubernetes syntax; `None` when it is not a quantity.
    pub fn parse(text: &str) -> Option<Quantity> {
        let split = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+'))
            .unwrap_or(text.len());
        let (number, suffix) = text.split_at(split);
        let number = number.strip_prefix('+').unwrap_or(number);
        // At most one '.', at least one digit: "1.", ".5" and "1.5" are quantities, "." is not.
        if number.is_empty()
            || number.matches('.').count() > 1
            || !number.bytes().any(|b| b.is_ascii_digit())
            || number.contains('+')
        {
            return None;
        }
        let value: f64 = number.parse().ok()?;
        let factor = match suffix {
            "" => 1.0,
            "n" => 1e-9,
            "u" => 1e-6,
            "m" => 1e-3,
            "k" => 1e3,
            "M" => 1e6,
            "G" => 1e9,
            "T" => 1e12,
            "P" => 1e15,
            "E" => 1e18,
            "Ki" => 1024.0,
            "Mi" => 1024f64.powi(2),
            "Gi" => 1024f64.powi(3),
            "Ti" => 1024f64.powi(4),
            "Pi" => 1024f64.powi(5),
            "Ei" => 1024f64.powi(6),
            exp => {
                let digits = exp.strip_prefix('e').or_else(|| exp.strip_prefix('E'))?;
                let digits_only = digits.strip_prefix(['+', '-']).unwrap_or(digits);
                if digits_only.is_empty() || !digits_only.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                10f64.powi(digits.parse::<i32>().ok()?)
            }
        };
        Some(Quantity(value * factor))
    }
}

#[cfg(test)]
mod tests {
    use super::Quantity;

    #[test]
    fn quantities_in_kubernetes_syntax_parse_and_compare() {
        let q = |s| Quantity::parse(s).unwrap_or_else(|| panic!("{s} should parse"));
        assert!(q("100m") < q("1"));
        assert!(q("128Mi") < q("1Gi"));
        assert!(q("1e3") == q("1k"));
        assert!(q(".5") == q("500m"));
        assert!(q("1.5Gi") > q("1Gi"));
    }

    #[test]
    fn malformed_quantities_are_rejected() {
        for bad in ["", "abc", "1.2.3", "-1", "1Qi", "1e", "12 Mi", ".", "1mi"] {
            assert_eq!(Quantity::parse(bad), None, "{bad:?} should not parse");
        }
    }
}
