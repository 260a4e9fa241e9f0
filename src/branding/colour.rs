//! A tenant's accent colour, and the stylesheet that carries it to the pages.
//!
//! The pages' CSP forbids inline style, so the colour reaches CSS through a stylesheet
//! route (`/authsec/assets/accent/rrggbb.css`, served by `api::foundation`) whose only
//! input is a validated `#rrggbb`. Whatever colour an admin picks, the stylesheet keeps
//! WCAG AA contrast (1.4.3, 4.5:1): button text is black or white, whichever reads
//! better on the accent, and links and focus rings use the accent darkened (light theme)
//! or lightened (dark theme) just enough to read on that theme's surfaces.

use super::BrandingError;
use serde::{Deserialize, Serialize};

/// The card and page backgrounds of each theme in `src/pages/app.css`; a test there
/// keeps the two in step.
pub const LIGHT_SURFACES: [&str; 2] = ["#ffffff", "#eef1f6"];
pub const DARK_SURFACES: [&str; 2] = ["#171b24", "#0e1117"];

/// WCAG 2.x minimum contrast for normal text (1.4.3, level AA).
pub const AA_TEXT: f64 = 4.5;

/// `#rrggbb`, stored in lower case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccentColor([u8; 3]);

impl AccentColor {
    pub fn parse(raw: &str) -> Result<Self, BrandingError> {
        let refuse = || BrandingError { field: "accent_color", message: "accent_color must be #rrggbb (hexadecimal)" };
        let hex = raw.trim().strip_prefix('#').ok_or_else(refuse)?;
        Self::from_hex(hex).ok_or_else(refuse)
    }

    /// Six hexadecimal digits without the `#` (the stylesheet route's path).
    pub fn from_hex(hex: &str) -> Option<Self> {
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let channel = |i: usize| hex.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok());
        Some(AccentColor([channel(0)?, channel(2)?, channel(4)?]))
    }

    /// `rrggbb`, lower case.
    pub fn hex(&self) -> String {
        hex(self.0)
    }
}

fn hex(rgb: [u8; 3]) -> String {
    format!("{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2])
}

impl TryFrom<String> for AccentColor {
    type Error = BrandingError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        AccentColor::parse(&raw)
    }
}

impl From<AccentColor> for String {
    fn from(colour: AccentColor) -> String {
        format!("#{}", colour.hex())
    }
}

/// WCAG 2.x relative luminance of an sRGB colour.
fn luminance(rgb: [u8; 3]) -> f64 {
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.040_45 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(rgb[0]) + 0.7152 * linear(rgb[1]) + 0.0722 * linear(rgb[2])
}

/// WCAG 2.x contrast ratio of two colours (1 to 21).
pub fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

fn rgb(hex: &str) -> [u8; 3] {
    AccentColor::from_hex(hex.trim_start_matches('#')).map_or([0, 0, 0], |c| c.0)
}

/// `colour` moved towards `target` until it reads (AA) on every surface; at worst it
/// becomes `target`, which reads on all of them.
fn readable_on(colour: [u8; 3], surfaces: &[&str], target: [u8; 3]) -> [u8; 3] {
    let reads = |c: [u8; 3]| surfaces.iter().all(|s| contrast(c, rgb(s)) >= AA_TEXT);
    (0..=20u8)
        .map(|step| {
            // A weighted mean of two bytes, rounded: never above 255.
            let mix = |from: u8, to: u8| {
                let sum = u16::from(from) * u16::from(20 - step) + u16::from(to) * u16::from(step) + 10;
                u8::try_from(sum / 20).unwrap_or(u8::MAX)
            };
            [mix(colour[0], target[0]), mix(colour[1], target[1]), mix(colour[2], target[2])]
        })
        .find(|c| reads(*c))
        .unwrap_or(target)
}

const WHITE: [u8; 3] = [255, 255, 255];
const BLACK: [u8; 3] = [0, 0, 0];

/// The stylesheet for `accent`: the button colour and its text colour, and the accent
/// as text (links, focus rings, borders) for each theme.
pub fn accent_stylesheet(accent: AccentColor) -> String {
    let on_accent = if contrast(accent.0, WHITE) >= contrast(accent.0, BLACK) { WHITE } else { BLACK };
    let light = readable_on(accent.0, &LIGHT_SURFACES, BLACK);
    let dark = readable_on(accent.0, &DARK_SURFACES, WHITE);
    format!(
        "/* The tenant's accent #{a}, with text colours that keep WCAG AA contrast. */\n\
         :root {{ --accent: #{a}; --on-accent: #{on}; --accent-text: #{light}; }}\n\
         @media (prefers-color-scheme: dark) {{ :root {{ --accent-text: #{dark}; }} }}\n",
        a = accent.hex(),
        on = hex(on_accent),
        light = hex(light),
        dark = hex(dark),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_six_hex_digits_after_a_hash_are_colours() {
        assert_eq!(String::from(AccentColor::parse("#0A7D5a").unwrap()), "#0a7d5a");
        for bad in ["0a7d5a", "#0a7d5", "#0a7d5a0", "#0g7d5a", "red", "#fff", "", "#0a7d5a;}", "#+a7d5a"] {
            assert!(AccentColor::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(AccentColor::from_hex("0a7d5a").map(|c| c.hex()), Some("0a7d5a".into()));
        assert_eq!(AccentColor::from_hex("0a7d5a.css"), None);
    }

    #[test]
    fn contrast_follows_wcag() {
        assert!((contrast(WHITE, BLACK) - 21.0).abs() < 1e-9);
        assert!((contrast(rgb("#767676"), WHITE) - 4.54).abs() < 0.01, "the classic AA grey");
    }

    fn declared(css: &str, name: &str, from: usize) -> [u8; 3] {
        let at = css[from..].find(&format!("{name}: #")).unwrap() + from + name.len() + 3;
        rgb(&css[at..at + 6])
    }

    #[test]
    fn every_accent_keeps_aa_contrast_in_both_themes() {
        let mut colours: Vec<[u8; 3]> = Vec::new();
        for r in (0..=255u8).step_by(51) {
            for g in (0..=255u8).step_by(51) {
                for b in (0..=255u8).step_by(51) {
                    colours.push([r, g, b]);
                }
            }
        }
        colours.extend([[255, 255, 0], [0x0a, 0x7d, 0x5a], [0xff, 0x66, 0x00]]);
        for c in colours {
            let css = accent_stylesheet(AccentColor(c));
            let dark_at = css.find("@media").unwrap();
            let (accent, on, light) =
                (declared(&css, "--accent", 0), declared(&css, "--on-accent", 0), declared(&css, "--accent-text", 0));
            let dark = declared(&css, "--accent-text", dark_at);
            assert_eq!(accent, c);
            assert!(contrast(on, accent) >= AA_TEXT, "{css}");
            for s in LIGHT_SURFACES {
                assert!(contrast(light, rgb(s)) >= AA_TEXT, "{css}");
            }
            for s in DARK_SURFACES {
                assert!(contrast(dark, rgb(s)) >= AA_TEXT, "{css}");
            }
        }
    }

    #[test]
    fn a_readable_accent_is_used_as_it_is() {
        let css = accent_stylesheet(AccentColor::parse("#1d4ed8").unwrap());
        assert!(css.contains("--accent: #1d4ed8; --on-accent: #ffffff; --accent-text: #1d4ed8;"), "{css}");
    }

    #[test]
    fn the_surfaces_are_those_of_the_stylesheet() {
        let css = include_str!("../pages/app.css");
        for s in LIGHT_SURFACES.iter().chain(DARK_SURFACES.iter()) {
            assert!(css.contains(s), "app.css declares {s}");
        }
    }
}
