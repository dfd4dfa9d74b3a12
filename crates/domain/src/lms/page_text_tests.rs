use proptest::prelude::*;

use super::*;

fn ids() -> (ActivityId, Uuid) {
    (
        ActivityId(Uuid::parse_str("0190a1b2-0000-7000-8000-000000000001").expect("ok")),
        Uuid::parse_str("0190a1b2-0000-7000-8000-0000000000f1").expect("ok"),
    )
}

#[test]
fn own_pictures_with_alt_are_kept() {
    let (a, f) = ids();
    let tag = image_tag(a, f, "Ein \"Baum\" <groß>");
    let s = sanitize(&format!("<p>Text</p>{tag}"), a);
    assert!(
        s.contains(&format!(
            "<img src=\"/kurse/material/{a}/datei/{f}\" alt=\"Ein &quot;Baum&quot; &lt;groß&gt;\">"
        )),
        "{s}"
    );
}

#[test]
fn remote_data_foreign_and_scripted_pictures_are_dropped() {
    let (a, f) = ids();
    let other = ActivityId(Uuid::now_v7());
    let inputs = [
        "<img src=\"https://example.org/x.png\" alt=\"remote\">".to_owned(),
        "<img src=\"//example.org/x.png\" alt=\"scheme-relative\">".to_owned(),
        "<img src=\"data:image/png;base64,iVBORw0KGgo=\" alt=\"data\">".to_owned(),
        "<img src=\"javascript:alert(1)\" alt=\"js\">".to_owned(),
        // Another material's (or another school's: ids are unique) file.
        format!("<img src=\"/kurse/material/{other}/datei/{f}\" alt=\"other\">"),
        format!("<img src=\"/kurse/material/{a}/datei/{f}/../../x\" alt=\"walk\">"),
        format!("<img src=\"/kurse/material/{a}/datei/{{{f}}}\" alt=\"braced\">"),
        format!("<img src=\"https://evil/kurse/material/{a}/datei/{f}\" alt=\"host\">"),
        "<img alt=\"no src\">".to_owned(),
    ];
    for i in &inputs {
        let s = sanitize(&format!("<p>a{i}b</p>"), a);
        assert_eq!(s, "<p>ab</p>", "{i}");
    }
    let s = sanitize(
        &format!(
            "<p onclick=\"x()\">Hi<script>alert(1)</script>\
             <img src=\"/kurse/material/{a}/datei/{f}\" alt=\"ok\" onerror=\"alert(1)\" \
             style=\"position:fixed\" width=\"9999\"></p>"
        ),
        a,
    );
    assert_eq!(
        s,
        format!("<p>Hi<img src=\"/kurse/material/{a}/datei/{f}\" alt=\"ok\"></p>")
    );
}

#[test]
fn shown_pictures_are_only_files_the_material_still_has() {
    let (a, f) = ids();
    let html = image_tag(a, f, "Baum");
    assert!(render(&html, a, &[f], "x").contains("<img"));
    assert_eq!(render(&html, a, &[], "x"), "<p></p>");
    assert_eq!(render(&html, a, &[Uuid::now_v7()], "x"), "<p></p>");
}

#[test]
fn an_own_picture_without_alt_is_refused_when_stored() {
    let (a, f) = ids();
    for alt in ["", " alt=\"\"", " alt=\"  \""] {
        let html = format!("<p><img src=\"/kurse/material/{a}/datei/{f}\"{alt}></p>");
        assert!(clean_for_store(&html, a).is_err(), "{html}");
        assert_eq!(sanitize(&html, a), "<p></p>");
    }
    // A remote one is only dropped.
    assert_eq!(
        clean_for_store("<p><img src=\"https://x/y.png\"></p>", a).expect("ok"),
        "<p></p>"
    );
    assert!(clean_alt("  ").is_err());
    assert!(clean_alt(&"x".repeat(301)).is_err());
    assert_eq!(clean_alt(" Ein\nBaum ").expect("ok"), "Ein Baum");
}

#[test]
fn written_mathml_never_survives() {
    let (a, _) = ids();
    let html = "<p><math><mi href=\"javascript:alert(1)\">x</mi><mtext><a href=\"javascript:x\">y</a></mtext></math></p>";
    let shown = render(html, a, &[], "Formelfehler");
    assert!(
        !shown.contains("<math") && !shown.contains("href"),
        "{shown}"
    );
    // Even next to a formula, which switches on the MathML pass.
    let shown = render(&format!("{html}<p>\\(x\\)</p>"), a, &[], "Formelfehler");
    assert_eq!(shown.matches("<math").count(), 1, "{shown}");
    assert!(!shown.contains("javascript"), "{shown}");
}

#[test]
fn formulas_become_mathml() {
    let (a, _) = ids();
    let shown = render(
        "<p>Inline \\(a^2 + b^2 = c^2\\) und</p><p>\\[\\frac{1}{2} &lt; x\\]</p>",
        a,
        &[],
        "Formelfehler",
    );
    assert!(
        shown.contains("<math><msup><mi>a</mi><mn>2</mn></msup>"),
        "{shown}"
    );
    assert!(shown.contains("<math display=\"block\"><mfrac>"), "{shown}");
    assert!(shown.contains("<mo>&lt;</mo>"), "{shown}");
    assert!(!shown.contains("\\("), "{shown}");
    // Matrices (& decoded), roots, sums with limits, text.
    let m = to_mathml(
        r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix} \sqrt[3]{x} \sum_{i=1}^n i \text{ für alle }",
        MathDisplay::Block,
    )
    .expect("ok");
    assert!(
        m.contains("<mtable") && m.contains("<mroot") && m.contains("<munderover"),
        "{m}"
    );
    let shown = render(
        "<p>\\(\\begin{pmatrix} 1 &amp; 2 \\\\ 3 &amp; 4 \\end{pmatrix}\\)</p>",
        a,
        &[],
        "x",
    );
    assert!(
        shown.contains("<mtable") && shown.contains("<mn>4</mn>"),
        "{shown}"
    );
}

#[test]
fn the_sanitiser_keeps_all_the_converter_writes() {
    // Every element and attribute math-core writes for common school formulas survives the
    // last pass unchanged; a display formula sits in a box the keyboard reaches (it scrolls
    // when wider than the column).
    let samples = [
        r"\frac{-b \pm \sqrt{b^2-4ac}}{2a}",
        r"\int_0^\infty e^{-x^2}\,dx = \frac{\sqrt\pi}{2}",
        r"\lim_{n\to\infty} \left(1+\frac1n\right)^n",
        r"\vec{v} \cdot \overline{AB} \neq \hat{x}",
        r"\begin{cases} x & x \geq 0 \\ -x & \text{sonst} \end{cases}",
        r"\mathbb{R} \subset \mathbb{C},\ \alpha\beta\gamma",
        r"\underbrace{a+b}_{n} \quad \overset{!}{=} \; \binom{n}{k}",
        r"\color{red}{x} + \cancel{y}",
    ];
    let (a, _) = ids();
    for s in samples {
        let raw = expand_self_closing(&to_mathml(s, MathDisplay::Block).expect("ok"));
        let shown = render(&format!("<div>\\[{}\\]</div>", escape(s)), a, &[], "x");
        assert_eq!(
            shown,
            format!("<div><span class=\"math-block\" tabindex=\"0\">{raw}</span></div>"),
            "{s}"
        );
    }
}

/// The converter's output as the sanitiser writes it: `<mspace …></mspace>` for
/// `<mspace …/>`, inline styles without spaces and the last `;`.
fn expand_self_closing(m: &str) -> String {
    let mut out = String::new();
    for p in pieces(m) {
        match p {
            Piece::Tag(t) => {
                let mut t = t.to_owned();
                if let Some(style) = attribute(&t, "style") {
                    let tidy: Vec<String> = style
                        .split(';')
                        .filter(|d| !d.trim().is_empty())
                        .map(|d| {
                            let (k, v) = d.split_once(':').unwrap_or((d, ""));
                            format!("{}:{}", k.trim(), v.trim())
                        })
                        .collect();
                    t = t.replace(style, &tidy.join(";"));
                }
                if t.ends_with("/>") {
                    let name = tag_name(&t).0;
                    t = format!("{}></{name}>", &t[..t.len() - 2]);
                }
                out.push_str(&t);
            }
            Piece::Text(t) => out.push_str(&t.replace('\u{a0}', "&nbsp;")),
        }
    }
    out
}

#[test]
fn bad_latex_shows_a_visible_error() {
    let (a, _) = ids();
    let shown = render(
        "<p>Vorher \\(\\frac{1}{\\)</p>",
        a,
        &[],
        "Formel nicht lesbar",
    );
    assert!(
        shown.contains("<span class=\"math-error\"") && shown.contains("Formel nicht lesbar:"),
        "{shown}"
    );
    assert!(shown.contains("<code>\\(\\frac{1}{\\)</code>"), "{shown}");
    assert!(!shown.contains("<math"));
    let shown = render("<p>\\(\\undefinedcommand x\\)</p>", a, &[], "Fehler");
    assert!(shown.contains("math-error"), "{shown}");
    // Escaped text stays escaped inside the message.
    let shown = render("<p>\\(&lt;script&gt;\\left(\\)</p>", a, &[], "Fehler");
    assert!(!shown.contains("<script"), "{shown}");
    // Limits.
    assert!(to_mathml(&"x".repeat(MAX_FORMULA + 1), MathDisplay::Inline).is_err());
    let deep = format!("{}x{}", "{".repeat(500), "}".repeat(500));
    assert!(to_mathml(&deep, MathDisplay::Inline).is_err_and(|e| e.contains("verschachtelt")));
}

#[test]
fn code_and_unclosed_delimiters_stay_text() {
    let (a, _) = ids();
    for html in [
        "<p><code>\\(x\\)</code></p>",
        "<pre>\\[x\\]</pre>",
        "<p>\\(x ohne Ende</p>",
        "<p>Pfad C:\\\\(temp\\) und \\\\[x]</p>",
    ] {
        let shown = render(html, a, &[], "x");
        assert!(!shown.contains("<math"), "{html}: {shown}");
    }
}

#[test]
fn the_worst_nesting_within_the_limits_converts_without_crashing() {
    // Commands nest without braces; the conversion thread's stack holds the longest formula.
    let half = MAX_FORMULA / 2;
    for s in [
        "\\frac a".repeat(MAX_FORMULA / 7),
        "\\sqrt".repeat(MAX_FORMULA / 5),
        "x^".repeat(half),
        format!(
            "{}x{}",
            "{".repeat(MAX_FORMULA_NESTING),
            "}".repeat(MAX_FORMULA_NESTING)
        ),
        format!(
            "{}x{}",
            "\\left(".repeat(MAX_FORMULA_NESTING),
            "\\right)".repeat(MAX_FORMULA_NESTING)
        ),
        "\\mathrm".repeat(MAX_FORMULA / 7),
        "\\text{".repeat(MAX_FORMULA / 6),
    ] {
        let s: String = s.chars().take(MAX_FORMULA).collect();
        let _ = to_mathml(&s, MathDisplay::Block);
    }
}

#[test]
fn picture_types_are_read_from_the_bytes() {
    assert_eq!(image_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
    assert_eq!(image_type(&[0xff, 0xd8, 0xff, 0xe0]), Some("image/jpeg"));
    assert_eq!(image_type(b"GIF89a.."), Some("image/gif"));
    assert_eq!(image_type(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
    assert_eq!(
        image_type(b"<svg xmlns=\"http://www.w3.org/2000/svg\">"),
        None
    );
    assert_eq!(image_type(b""), None);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any LaTeX-ish input converts or fails with a message, never panics.
    #[test]
    fn formula_conversion_never_panics(
        s in proptest::collection::vec(
            prop_oneof![
                Just("\\frac".to_owned()), Just("\\sqrt".to_owned()), Just("{".to_owned()),
                Just("}".to_owned()), Just("^".to_owned()), Just("_".to_owned()),
                Just("\\left(".to_owned()), Just("\\right)".to_owned()), Just("&".to_owned()),
                Just("\\\\".to_owned()), Just("\\begin{matrix}".to_owned()),
                Just("\\end{matrix}".to_owned()), Just("\\text{".to_owned()),
                Just("\\".to_owned()), Just("\\mathbb".to_owned()), Just("\\color{".to_owned()),
                Just("\\operatorname".to_owned()), Just("\\over".to_owned()),
                "[a-z0-9+=() ]{1,3}", "\\PC{1,2}",
            ],
            0..40,
        ),
        block in any::<bool>(),
    ) {
        let latex = s.concat();
        let display = if block { MathDisplay::Block } else { MathDisplay::Inline };
        let r = convert(&latex, display);
        if let Ok(m) = r {
            prop_assert!(m.starts_with("<math"));
        }
    }

    /// Whole bodies with formulas render without panicking and never let a script through.
    #[test]
    fn rendering_never_panics(s in "(\\PC|\\\\[()\\[\\]]|<[a-z/]{1,6}>|&[a-z]{2,4};){0,60}") {
        let (a, _) = ids();
        let shown = render(&s, a, &[], "Fehler");
        prop_assert!(!shown.contains("<script"));
    }
}

#[test]
fn only_a_formula_box_may_be_focusable() {
    // The stored text cannot make its own spans focusable or move the tab order.
    let (a, _) = ids();
    let shown = render(
        r#"<p><span tabindex="0">a</span><span tabindex="5">b</span> \[x\]</p>"#,
        a,
        &[],
        "x",
    );
    assert_eq!(shown.matches("tabindex").count(), 1, "{shown}");
    assert!(
        shown.contains(r#"<span class="math-block" tabindex="0"><math"#),
        "{shown}"
    );
}
