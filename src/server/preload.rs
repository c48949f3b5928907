//! What lets a phone start a page sooner:
//! - the `Link` header, so it starts fetching the page's code the moment the page's headers
//!   arrive rather than after it has read the page's head (on a slow mobile link, one round
//!   trip — about half a second — sooner). The same files are named in the head too; the
//!   browser fetches each once.
//! - the stylesheet, written into the page's head rather than linked. A browser paints nothing
//!   until it has the styles, and a linked stylesheet is one more round trip after the page:
//!   on a phone's slow link the first paint came at about 1.4 s, after the stylesheet; with the
//!   styles in the page it comes as soon as the page is read. The styles are 3 KB compressed,
//!   sent again with each page a browser loads whole (most moves between screens load none).

use leptos::config::LeptosOptions;
use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

/// The header values (every page's files, and those plus the part its screens are in) and the
/// stylesheet's text.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Preloads {
    main: String,
    rep: String,
    staff: String,
    css: Option<String>,
}

impl Preloads {
    /// Read once from the build's hash file beside the executable and the split manifest.
    /// Empty (no header) when the files carry no hashes, as in tests and debug builds.
    pub fn of(options: &LeptosOptions) -> &'static Preloads {
        static READ: OnceLock<Preloads> = OnceLock::new();
        READ.get_or_init(|| {
            let hashes = options
                .hash_files
                .then(|| {
                    let exe = std::env::current_exe().ok()?;
                    std::fs::read_to_string(exe.parent()?.join(options.hash_file.as_ref())).ok()
                })
                .flatten();
            let Some(hashes) = hashes else {
                return Preloads::default();
            };
            let pkg = format!("/{}", options.site_pkg_dir);
            let read = |name: String| {
                let path = Path::new(options.site_root.as_ref())
                    .join(options.site_pkg_dir.as_ref())
                    .join(name);
                std::fs::read_to_string(path).ok()
            };
            let manifest = hash_of(&hashes, "manifest")
                .and_then(|hash| read(format!("__wasm_split_manifest.{hash}.json")));
            let css = hash_of(&hashes, "css")
                .and_then(|hash| read(format!("{}.{hash}.css", options.output_name)));
            let mut preloads =
                Preloads::from_build(&options.output_name, &pkg, &hashes, manifest.as_deref());
            preloads.css = css.filter(|text| fits_in_a_style_element(text));
            preloads
        })
    }

    /// The stylesheet to write into the page's head, when the build's is known (else the page
    /// links it).
    pub fn inline_css(&self) -> Option<&str> {
        self.css.as_deref()
    }

    /// From the hash file's text and the split manifest's.
    pub fn from_build(output: &str, pkg: &str, hashes: &str, manifest: Option<&str>) -> Preloads {
        // No stylesheet: it is in the page (see the module's note).
        let (Some(js), Some(wasm)) = (hash_of(hashes, "js"), hash_of(hashes, "wasm")) else {
            return Preloads::default();
        };
        let main = [
            format!("<{pkg}/{output}.{js}.js>; rel=modulepreload"),
            wasm_link(pkg, &format!("{output}.{wasm}")),
        ]
        .join(", ");
        let parts: HashMap<String, Vec<String>> = manifest
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or_default();
        let with_part = |prefix: &str| {
            let mut links = vec![main.clone()];
            for (name, files) in &parts {
                if name.starts_with(prefix) {
                    links.extend(files.iter().map(|file| wasm_link(pkg, file)));
                }
            }
            links.join(", ")
        };
        Preloads {
            rep: with_part("rep_screen_"),
            staff: with_part("staff_screen_"),
            main,
            css: None,
        }
    }

    /// The header for a page at `path`, if the build is known.
    pub fn for_page(&self, path: &str) -> Option<&str> {
        // As the router's lazy parts are cut (see `ui::pages` and `app`): the queue is in the
        // main part; a lead, adding a person met, signing in and the front door in the rep's
        // part; the boards, nurture, lists, accounts and admin screens in the staff part.
        // Anything else (an API's docs, a missing page) loads no app code.
        let trimmed = path.trim_end_matches('/');
        let staff = [
            "/board",
            "/wall",
            "/campaigns",
            "/import",
            "/nurture",
            "/account",
            "/welcome",
        ];
        let links = if trimmed == "/queue" {
            &self.main
        } else if path.starts_with("/lead/") || matches!(trimmed, "" | "/met" | "/login") {
            &self.rep
        } else if trimmed.starts_with("/admin/")
            || staff
                .iter()
                .any(|screen| trimmed == *screen || trimmed.starts_with(&format!("{screen}/")))
        {
            &self.staff
        } else {
            return None;
        };
        (!links.is_empty()).then_some(links.as_str())
    }
}

/// Whether `css` can sit inside `<style>…</style>` as it is: nothing in it can end the element
/// early.
fn fits_in_a_style_element(css: &str) -> bool {
    !css.to_ascii_lowercase().contains("</style")
}

fn hash_of<'a>(hashes: &'a str, file: &str) -> Option<&'a str> {
    hashes.lines().find_map(|line| {
        let (name, hash) = line.split_once(':')?;
        (name.trim() == file).then(|| hash.trim())
    })
}

fn wasm_link(pkg: &str, file: &str) -> String {
    format!("<{pkg}/{file}.wasm>; rel=preload; as=fetch; type=\"application/wasm\"; crossorigin")
}

#[cfg(test)]
mod tests {
    use super::Preloads;

    const HASHES: &str = "js: J1\nwasm: W1\ncss: C1\nmanifest: M1\nsplit: S1\n";
    const MANIFEST: &str = r#"{"rep_screen_1":["chunk_3.A","split_rep_screen_1.B"],
        "staff_screen_2":["chunk_3.A","split_staff_screen_2.C"]}"#;

    #[test]
    fn a_lead_page_names_the_main_files_and_the_rep_part() {
        let preloads = Preloads::from_build("leadline", "/pkg", HASHES, Some(MANIFEST));
        let lead = preloads.for_page("/lead/01ab").unwrap();
        assert!(lead.starts_with("</pkg/leadline.J1.js>; rel=modulepreload"));
        assert!(
            !lead.contains(".css"),
            "the stylesheet is in the page: {lead}"
        );
        assert!(lead.contains("</pkg/leadline.W1.wasm>; rel=preload; as=fetch"));
        assert!(lead.contains("</pkg/split_rep_screen_1.B.wasm>"));
        assert!(!lead.contains("staff"));
    }

    #[test]
    fn the_queue_names_only_the_main_files_and_a_board_the_staff_part() {
        let preloads = Preloads::from_build("leadline", "/pkg", HASHES, Some(MANIFEST));
        let queue = preloads.for_page("/queue").unwrap();
        assert!(!queue.contains("split_"));
        let board = preloads.for_page("/board").unwrap();
        assert!(board.contains("split_staff_screen_2.C"));
        assert!(!board.contains("split_rep"));
    }

    #[test]
    fn a_page_that_is_not_the_apps_preloads_nothing() {
        let preloads = Preloads::from_build("leadline", "/pkg", HASHES, Some(MANIFEST));
        assert_eq!(preloads.for_page("/api/v1/docs"), None);
        assert_eq!(preloads.for_page("/no-such-page"), None);
        assert!(preloads.for_page("/admin/webhooks").is_some());
        assert!(preloads.for_page("/board/compliance").is_some());
    }

    #[test]
    fn without_hashes_there_is_no_header() {
        let preloads = Preloads::from_build("leadline", "/pkg", "", None);
        assert_eq!(preloads.for_page("/lead/1"), None);
    }

    #[test]
    fn a_stylesheet_that_could_end_its_element_is_linked_not_written_in() {
        assert!(super::fits_in_a_style_element(".card > a { color: red }"));
        assert!(!super::fits_in_a_style_element(
            "a::after { content: '</STYLE><script>' }"
        ));
    }
}
