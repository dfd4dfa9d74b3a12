//! The preview of an uploaded archive: sections with their items (kind icons; what stays
//! behind marked), the files with their sizes, the report, and the confirmation form.

use askama::Template;
use axum::response::Response;
use schulhof_domain::lms::import::{ImportPreview, Severity};
use schulhof_front::Lang;
use schulhof_types::CourseId;

use crate::auth::Ready;
use crate::layout::Chrome;
use crate::pages::lms::course::kind_icon;
use crate::render;

pub struct ItemLine {
    pub icon: &'static str,
    pub kind: String,
    pub title: String,
    /// Empty, or "3 Dateien" / "not brought over (quiz)".
    pub note: String,
    pub skipped: bool,
}

pub struct SectionLine {
    pub title: String,
    pub items: Vec<ItemLine>,
}

pub struct ReportLine {
    pub level: &'static str,
    pub location: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "lms/import/preview.html")]
struct PreviewPage {
    c: Chrome,
    id: String,
    course: String,
    source: String,
    name: String,
    token: String,
    sections: Vec<SectionLine>,
    files: Vec<(String, String, String)>,
    total: String,
    report: Vec<ReportLine>,
}

/// "1.5 MB", "12 KB", "300 B".
pub fn size(n: u64) -> String {
    match n {
        n if n >= 1024 * 1024 => format!("{:.1} MB", n as f64 / 1_048_576.0),
        n if n >= 1024 => format!("{} KB", n.div_ceil(1024)),
        n => format!("{n} B"),
    }
}

fn sections(r: &Ready, v: &ImportPreview) -> Vec<SectionLine> {
    let tr = r.page.tr();
    v.sections
        .iter()
        .map(|s| SectionLine {
            title: s.title.clone(),
            items: s
                .items
                .iter()
                .map(|i| match i.kind {
                    Some(k) => ItemLine {
                        icon: kind_icon(k),
                        kind: tr.lookup(&format!("lms.kind.{k}")).unwrap_or(k).to_owned(),
                        title: i.title.clone(),
                        note: if i.files > 0 {
                            tr.t("lms_import.files_n")
                                .replace("{n}", &i.files.to_string())
                        } else {
                            String::new()
                        },
                        skipped: false,
                    },
                    None => ItemLine {
                        icon: "i-warning",
                        kind: i.source_kind.clone(),
                        title: i.title.clone(),
                        note: tr
                            .t("lms_import.not_brought")
                            .replace("{kind}", &i.source_kind),
                        skipped: true,
                    },
                })
                .collect(),
        })
        .collect()
}

pub fn page(r: &Ready, id: CourseId, course: &str, v: &ImportPreview) -> Response {
    let tr = r.page.tr();
    let en = tr.0 == Lang::En;
    let report = v
        .report
        .iter()
        .map(|l| ReportLine {
            level: match l.severity {
                Severity::Info => tr.t("lms_import.level.info"),
                Severity::Skipped => tr.t("lms_import.level.skipped"),
                Severity::Warning => tr.t("lms_import.level.warning"),
            },
            location: l.location.clone(),
            text: if en { l.en.clone() } else { l.de.clone() },
        })
        .collect();
    let page = PreviewPage {
        c: Chrome::new(&r.page, tr.t("lms_import.preview")).signed_in(&r.page, &r.actor),
        id: id.to_string(),
        course: course.to_owned(),
        source: v.source.clone(),
        name: v.name.clone(),
        token: v.token.clone(),
        sections: sections(r, v),
        files: v
            .files
            .iter()
            .map(|f| (f.name.clone(), f.mime.clone(), size(f.size)))
            .collect(),
        total: size(v.bytes),
        report,
    };
    render::ok(&page)
}
