//! Vehicle identification numbers (ISO 3779): 17 characters from `0-9` and `A-Z` without
//! `I`, `O`, `Q`, whose 9th character is the check digit of the North American scheme
//! (transliterate, weight, sum mod 11; 10 is written `X`). Every module that stores a VIN parses
//! it here, so one rule holds everywhere.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A VIN whose format and check digit have been verified.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Vin(String);

/// Why a string is not a VIN; the message is fit for a 422 field error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VinError {
    Length(usize),
    Character(char),
    CheckDigit { expected: char, found: char },
}

impl fmt::Display for VinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VinError::Length(n) => write!(f, "a VIN has 17 characters, not {n}"),
            VinError::Character(c) => write!(
                f,
                "`{c}` cannot appear in a VIN (digits and capital letters except I, O, Q)"
            ),
            VinError::CheckDigit { expected, found } => write!(
                f,
                "check digit (9th character) is `{found}` but the VIN's characters give `{expected}`"
            ),
        }
    }
}

impl std::error::Error for VinError {}

const WEIGHTS: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

fn transliterate(c: char) -> Option<u32> {
    Some(match c {
        '0'..='9' => c as u32 - '0' as u32,
        'A' | 'J' => 1,
        'B' | 'K' | 'S' => 2,
        'C' | 'L' | 'T' => 3,
        'D' | 'M' | 'U' => 4,
        'E' | 'N' | 'V' => 5,
        'F' | 'W' => 6,
        'G' | 'P' | 'X' => 7,
        'H' | 'Y' => 8,
        'R' | 'Z' => 9,
        _ => return None,
    })
}

/// The check digit of 17 VIN characters (the 9th is ignored), or the first illegal character.
fn check_digit(chars: &[char]) -> Result<char, VinError> {
    let mut sum = 0;
    for (c, weight) in chars.iter().zip(WEIGHTS) {
        sum += transliterate(*c).ok_or(VinError::Character(*c))? * weight;
    }
    Ok(match sum % 11 {
        10 => 'X',
        n => char::from_digit(n, 10).unwrap_or('X'),
    })
}

impl Vin {
    /// Parses a VIN; surrounding spaces are trimmed and letters upper-cased first.
    pub fn parse(input: &str) -> Result<Vin, VinError> {
        let chars: Vec<char> = input.trim().to_ascii_uppercase().chars().collect();
        if chars.len() != 17 {
            return Err(VinError::Length(chars.len()));
        }
        let expected = check_digit(&chars)?;
        let found = chars.get(8).copied().unwrap_or_default();
        if found != expected {
            return Err(VinError::CheckDigit { expected, found });
        }
        Ok(Vin(chars.into_iter().collect()))
    }

    /// Completes 17 characters by writing the right check digit in 9th place (for generating
    /// VINs: seeds, production runs, tests).
    pub fn with_check_digit(draft: &str) -> Result<Vin, VinError> {
        let mut chars: Vec<char> = draft.trim().to_ascii_uppercase().chars().collect();
        if chars.len() != 17 {
            return Err(VinError::Length(chars.len()));
        }
        if let Some(slot) = chars.get_mut(8) {
            *slot = '0';
        }
        let digit = check_digit(&chars)?;
        if let Some(slot) = chars.get_mut(8) {
            *slot = digit;
        }
        Ok(Vin(chars.into_iter().collect()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Vin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Vin {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Vin::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_known_valid_vin_and_normalises_case() {
        // The textbook example of the North American check digit.
        assert_eq!(
            Vin::parse(" 1m8gdm9axkp042788 ").map(|v| v.into_string()),
            Ok("1M8GDM9AXKP042788".to_owned())
        );
        assert!(Vin::parse("11111111111111111").is_ok());
    }

    #[test]
    fn rejects_wrong_length_letters_and_check_digits() {
        assert_eq!(Vin::parse("1M8GDM9AX"), Err(VinError::Length(9)));
        assert_eq!(
            Vin::parse("1M8GDM9AXKP04278O"),
            Err(VinError::Character('O'))
        );
        assert_eq!(
            Vin::parse("1M8GDM9A1KP042788"),
            Err(VinError::CheckDigit {
                expected: 'X',
                found: '1'
            })
        );
    }

    #[test]
    fn generated_vins_verify() {
        for serial in 0..500 {
            let vin = Vin::with_check_digit(&format!("LVE1A2B30TV{serial:06}"));
            let vin = vin.map(Vin::into_string).unwrap_or_default();
            assert!(Vin::parse(&vin).is_ok(), "{vin}");
        }
    }
}
