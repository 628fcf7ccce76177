//! Relevance and behaviour of the index on a small fixture corpus: Vietnamese with and
//! without diacritics and in NFD, document numbers, English stemming, filters, facets, sorting,
//! pages, snippets and incremental re-indexing.

use search_index::{write_index, write_index_with, Notice, Request, SearchDoc, SearchIndex, Sort};
use unicode_normalization::UnicodeNormalization;

fn doc(site: &str, path: &str, kind: &str, lang: &str, title: &str, body: &str) -> SearchDoc {
    SearchDoc {
        site: site.into(),
        domain: if site == "mt" {
            "mt.gov.vn".into()
        } else {
            format!("{site}.mt.gov.vn")
        },
        kind: kind.into(),
        lang: lang.into(),
        path: path.into(),
        title: title.into(),
        body: body.into(),
        ..SearchDoc::default()
    }
}

fn date(y: i32, m: u32, d: u32) -> Option<i64> {
    chrono::NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp())
}

fn corpus() -> Vec<SearchDoc> {
    let mut docs = vec![];
    let mut plan = doc(
        "mt",
        "/van-ban/qd-1552/",
        "legal",
        "vi",
        "Quyết định số 1552/QĐ-BGTVT ban hành Kế hoạch thực hiện Nghị định 42/2022/NĐ-CP",
        "Kế hoạch của Bộ Giao thông vận tải thực hiện Nghị định số 42/2022/NĐ-CP về cung cấp thông tin và dịch vụ công trực tuyến trên môi trường mạng.",
    );
    plan.codes = vec!["1552/QĐ-BGTVT".into()];
    plan.fields = vec!["Quyết định".into(), "Bộ Giao thông vận tải".into()];
    plan.date = date(2022, 11, 25);
    plan.taxonomies = vec![("topics".into(), "Chuyển đổi số".into())];
    docs.push(plan);
    let mut news = doc(
        "mt",
        "/tin-tuc/chuyen-doi-so-nganh-giao-thong/",
        "news",
        "vi",
        "Đẩy mạnh chuyển đổi số ngành giao thông vận tải",
        "Bộ Giao thông vận tải đẩy mạnh chuyển đổi số, phát triển Chính phủ số và dữ liệu số trong toàn ngành.",
    );
    news.date = date(2023, 3, 1);
    news.taxonomies = vec![("topics".into(), "Chuyển đổi số".into())];
    docs.push(news);
    let mut reg = doc(
        "vr",
        "/tin-tuc/dang-kiem-xe-co-gioi/",
        "news",
        "vi",
        "Đăng kiểm xe cơ giới trực tuyến",
        "Cục Đăng kiểm Việt Nam hướng dẫn chủ xe đặt lịch đăng kiểm xe cơ giới qua mạng.",
    );
    reg.date = date(2024, 1, 10);
    docs.push(reg);
    let mut proc_ = doc(
        "mt",
        "/thu-tuc/cap-giay-phep-lai-xe/",
        "procedure",
        "vi",
        "Cấp mới giấy phép lái xe",
        "Thủ tục cấp mới giấy phép lái xe cho người đã đạt kỳ sát hạch.",
    );
    proc_.codes = vec!["1.002809".into()];
    proc_.date = date(2023, 6, 1);
    docs.push(proc_);
    docs.push(doc(
        "drvn",
        "/tin-tuc/duong-bo/",
        "news",
        "vi",
        "Bảo trì hệ thống quốc lộ",
        "Công tác bảo trì đường bộ trên các tuyến quốc lộ được triển khai đồng bộ.",
    ));
    docs.push(doc(
        "drvn",
        "/tin-tuc/duong-lich/",
        "news",
        "vi",
        "Lịch làm việc tháng Giêng",
        "Lịch làm việc theo dương lịch của các phòng chuyên môn trong quý.",
    ));
    docs.push(doc(
        "mt",
        "/en/van-ban/inspection/",
        "legal",
        "en",
        "Regulations on vehicle inspections",
        "The Ministry regulates the technical inspection of motor vehicles.",
    ));
    docs.push(doc(
        "mt",
        "/tin-tuc/ky-tu-dac-biet/",
        "news",
        "vi",
        "Ký tự đặc biệt <script>alert(1)</script>",
        "Bài viết có ký tự <b>đặc biệt</b> & dấu \"ngoặc kép\" trong nội dung chuyển đổi số.",
    ));
    for i in 0..25 {
        let mut d = doc(
            "vec",
            &format!("/tin-tuc/cao-toc-{i}/"),
            "news",
            "vi",
            &format!("Tin đường cao tốc số {i}"),
            "Tổng công ty Đầu tư phát triển đường cao tốc Việt Nam thông tin về tuyến cao tốc.",
        );
        d.date = date(2020, 1, 1 + i as u32);
        docs.push(d);
    }
    docs
}

fn index() -> (tempfile::TempDir, SearchIndex) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("search");
    let stats = write_index(&dir, &corpus(), None, "test").unwrap();
    assert_eq!(stats.documents, corpus().len());
    let idx = SearchIndex::open(&dir).unwrap();
    (tmp, idx)
}

fn q(s: &str) -> Request {
    Request {
        q: s.into(),
        page: 1,
        per_page: 10,
        ..Request::default()
    }
}

fn paths(idx: &SearchIndex, r: &Request) -> Vec<String> {
    idx.search(r)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.path)
        .collect()
}

fn assert_top3(idx: &SearchIndex, query: &str, want: &str) {
    for variant in [query.to_string(), query.nfd().collect::<String>()] {
        let got = paths(idx, &q(&variant));
        assert!(
            got.iter().take(3).any(|p| p == want),
            "query {variant:?} should find {want} in the top 3, got {got:?}"
        );
    }
}

#[test]
fn vietnamese_queries_with_without_diacritics_and_nfd() {
    let (_t, idx) = index();
    let plan = "/van-ban/qd-1552/";
    for query in [
        "kế hoạch thực hiện nghị định 42",
        "ke hoach thuc hien nghi dinh 42",
        "1552/QĐ-BGTVT",
        "1552/qd-bgtvt",
        "1552",
        "QĐ 1552",
    ] {
        assert_top3(&idx, query, plan);
    }
    let news = "/tin-tuc/chuyen-doi-so-nganh-giao-thong/";
    for query in ["chuyển đổi số", "chuyen doi so", "CHUYỂN ĐỔI SỐ"] {
        assert_top3(&idx, query, news);
    }
    let reg = "/tin-tuc/dang-kiem-xe-co-gioi/";
    for query in ["đăng kiểm", "dang kiem", "\"đăng kiểm xe\""] {
        assert_top3(&idx, query, reg);
    }
    assert_top3(&idx, "1.002809", "/thu-tuc/cap-giay-phep-lai-xe/");
}

#[test]
fn exact_diacritics_rank_above_folded_matches() {
    let (_t, idx) = index();
    let got = paths(
        &idx,
        &Request {
            site: Some("drvn".into()),
            ..q("đường")
        },
    );
    assert_eq!(
        got,
        ["/tin-tuc/duong-bo/", "/tin-tuc/duong-lich/"],
        "đường before dương"
    );
    let got = paths(
        &idx,
        &Request {
            site: Some("drvn".into()),
            ..q("dương")
        },
    );
    assert_eq!(got[0], "/tin-tuc/duong-lich/");
    // Without diacritics both match.
    let got = paths(
        &idx,
        &Request {
            site: Some("drvn".into()),
            ..q("duong")
        },
    );
    assert_eq!(got.len(), 2);
}

#[test]
fn english_pages_are_stemmed() {
    let (_t, idx) = index();
    assert_top3(&idx, "inspection regulation", "/en/van-ban/inspection/");
    assert_top3(&idx, "vehicles", "/en/van-ban/inspection/");
    // Their excerpts mark the words of the text that have the query's stems.
    let r = idx.search(&q("vehicles")).unwrap();
    let hit = r.hits.iter().find(|h| h.lang == "en").unwrap();
    assert!(hit.snippet_html.contains("<mark>"), "{}", hit.snippet_html);
}

#[test]
fn phrases_and_proximity() {
    let (_t, idx) = index();
    // The quoted phrase must appear as such.
    let got = paths(&idx, &q("\"giấy phép lái xe\""));
    assert_eq!(got, ["/thu-tuc/cap-giay-phep-lai-xe/"]);
    assert!(paths(&idx, &q("\"xe giấy phép\"")).is_empty());
    // Words next to each other rank first.
    let got = paths(&idx, &q("giao thông vận tải chuyển đổi số"));
    assert_eq!(got[0], "/tin-tuc/chuyen-doi-so-nganh-giao-thong/");
}

#[test]
fn filters_facets_sort_and_pages() {
    let (_t, idx) = index();
    let r = idx.search(&q("cao tốc")).unwrap();
    assert_eq!(r.total, 25);
    assert_eq!(r.pages, 3);
    assert_eq!(r.hits.len(), 10);
    let site = &r.facets.site;
    assert_eq!(site[0].value, "vec");
    assert_eq!(site[0].count, 25);
    let page3 = idx
        .search(&Request {
            page: 3,
            sort: Sort::Date,
            ..q("cao tốc")
        })
        .unwrap();
    assert_eq!(page3.hits.len(), 5);
    assert_eq!(
        page3.hits[0].path, "/tin-tuc/cao-toc-4/",
        "oldest last, by date"
    );
    let r = idx.search(&q("chuyển đổi số")).unwrap();
    let topics = &r.facets.taxonomies;
    assert_eq!(topics[0].0, "topics");
    assert_eq!(topics[0].1[0].value, "Chuyển đổi số");
    assert_eq!(topics[0].1[0].count, 2);
    assert!(r.facets.year.iter().any(|y| y.value == "2022"));
    let only = idx
        .search(&Request {
            term: Some(("topics".into(), "Chuyển đổi số".into())),
            kind: Some("legal".into()),
            ..q("chuyen doi so")
        })
        .unwrap();
    assert_eq!(only.total, 1);
    assert_eq!(only.hits[0].path, "/van-ban/qd-1552/");
    // A filter with no words lists the newest pages.
    let listing = idx
        .search(&Request {
            site: Some("vr".into()),
            ..q("")
        })
        .unwrap();
    assert_eq!(listing.total, 1);
    assert_eq!(listing.sort, Sort::Date);
}

#[test]
fn snippets_highlight_and_escape() {
    let (_t, idx) = index();
    let r = idx.search(&q("đặc biệt")).unwrap();
    let h = &r.hits[0];
    assert!(
        h.snippet_html.contains("<mark>đặc</mark>"),
        "{}",
        h.snippet_html
    );
    assert!(!h.snippet_html.contains("<b>"), "{}", h.snippet_html);
    assert!(h.snippet_html.contains("&lt;b&gt;"), "{}", h.snippet_html);
    assert!(!h.title_html.contains("<script"), "{}", h.title_html);
    // Folded queries highlight the accented words of the text.
    let r = idx.search(&q("dang kiem")).unwrap();
    assert!(
        r.hits[0].snippet_html.contains("<mark>đăng</mark>")
            || r.hits[0].snippet_html.contains("<mark>Đăng</mark>"),
        "{}",
        r.hits[0].snippet_html
    );
}

#[test]
fn odd_input_gives_a_notice_or_results_never_an_error() {
    let (_t, idx) = index();
    assert_eq!(idx.search(&q("")).unwrap().notice, Some(Notice::Empty));
    assert_eq!(idx.search(&q("   ")).unwrap().notice, Some(Notice::Empty));
    let long = "đường ".repeat(200);
    assert_eq!(idx.search(&q(&long)).unwrap().notice, Some(Notice::TooLong));
    // No word at all: a notice, no results.
    for s in [
        "+-&&||!(){}[]^\"~*?:\\/",
        "\"",
        "\"\"",
        "*",
        "%%%",
        "\u{0}",
        "🚗",
    ] {
        let r = idx.search(&q(s)).unwrap();
        assert_eq!(r.notice, Some(Notice::NoWords), "{s:?}");
        assert_eq!((r.total, r.hits.len()), (0, 0), "{s:?}");
    }
    // Query syntax is not interpreted: the words are searched as words.
    let urls = |r: &search_index::Response| -> Vec<String> {
        r.hits.iter().map(|h| h.url.clone()).collect()
    };
    for (s, words) in [
        ("title:x AND OR NOT", "title x and or not"),
        ("a\"b", "a b"),
        ("Đăng:kiểm OR", "đăng kiểm or"),
    ] {
        let (r, w) = (idx.search(&q(s)).unwrap(), idx.search(&q(words)).unwrap());
        assert_eq!(r.notice, None, "{s:?}");
        assert_eq!((r.total, urls(&r)), (w.total, urls(&w)), "{s:?}");
    }
    let r = idx.search(&q("Đăng:kiểm OR")).unwrap();
    assert!(r.total > 0 && r.hits[0].url.contains("dang-kiem"), "{r:?}");
    // No page has both words: pages with either are shown, marked relaxed.
    let r = idx.search(&q("đăng kiểm quốc lộ")).unwrap();
    assert!(r.relaxed && r.total >= 2, "{r:?}");
}

#[test]
fn only_changed_pages_are_reindexed() {
    let tmp = tempfile::tempdir().unwrap();
    let first = tmp.path().join("a");
    let docs = corpus();
    write_index(&first, &docs, None, "v1").unwrap();
    let second = tmp.path().join("b");
    let mut docs2 = docs.clone();
    docs2[2].body.push_str(" Lịch đăng kiểm mới.");
    docs2.pop();
    let stats = write_index(&second, &docs2, Some(&first), "v1").unwrap();
    assert!(stats.incremental);
    // The same texts file for the same pages, whatever the run.
    let again = tmp.path().join("b2");
    write_index(&again, &docs2, Some(&first), "v1").unwrap();
    let texts = |dir: &std::path::Path| std::fs::read(dir.join("texts.bin")).unwrap();
    assert!(
        texts(&second) == texts(&again),
        "texts.bin differs between runs"
    );
    assert_eq!((stats.indexed, stats.removed), (1, 2), "{stats:?}");
    let idx = SearchIndex::open(&second).unwrap();
    assert_eq!(idx.len() as usize, docs2.len());
    assert_eq!(
        paths(&idx, &q("lịch đăng kiểm mới"))[0],
        "/tin-tuc/dang-kiem-xe-co-gioi/"
    );
    // Excerpts: the changed page's new text, and the others' texts, kept from the first.
    let snippet = |idx: &SearchIndex, query: &str| {
        idx.search(&q(query)).unwrap().hits[0].snippet_html.clone()
    };
    assert!(snippet(&idx, "lịch đăng kiểm mới").contains("<mark>mới</mark>"));
    let before = snippet(&SearchIndex::open(&first).unwrap(), "đặc biệt");
    assert!(before.contains("<mark>đặc</mark>"), "{before}");
    assert_eq!(snippet(&idx, "đặc biệt"), before);
    // The first index is untouched.
    let idx1 = SearchIndex::open(&first).unwrap();
    assert_eq!(idx1.len() as usize, docs.len());
    assert!(!snippet(&idx1, "đăng kiểm").contains("Lịch"));
    // Nothing changed: nothing written.
    let third = tmp.path().join("c");
    let stats = write_index(&third, &docs2, Some(&second), "v1").unwrap();
    assert_eq!((stats.indexed, stats.removed), (0, 0));
    assert_eq!(
        snippet(&SearchIndex::open(&third).unwrap(), "đặc biệt"),
        before
    );
    // The previous texts lost: everything is written again, not excerpts lost.
    std::fs::remove_file(third.join("texts.bin")).unwrap();
    assert!(SearchIndex::open(&third).is_err());
    let fifth = tmp.path().join("e");
    let stats = write_index(&fifth, &docs2, Some(&third), "v1").unwrap();
    assert!(!stats.incremental);
    assert_eq!(
        snippet(&SearchIndex::open(&fifth).unwrap(), "đặc biệt"),
        before
    );
    // Another tool version: a full rebuild.
    let fourth = tmp.path().join("d");
    let stats = write_index(&fourth, &docs2, Some(&third), "v2").unwrap();
    assert!(!stats.incremental);
    assert_eq!(stats.indexed, docs2.len());
}

#[test]
fn a_body_given_by_key_is_made_only_for_the_documents_written() {
    let tmp = tempfile::tempdir().unwrap();
    let texts: Vec<String> = corpus().iter().map(|d| d.body.clone()).collect();
    let keyed = |key_of_2: u64| -> Vec<SearchDoc> {
        corpus()
            .into_iter()
            .enumerate()
            .map(|(i, d)| SearchDoc {
                body: String::new(),
                body_key: Some(if i == 2 { key_of_2 } else { i as u64 }),
                ..d
            })
            .collect()
    };
    let asked = std::sync::Mutex::new(Vec::new());
    let body_of = |i: usize| {
        asked.lock().unwrap().push(i);
        texts[i].as_str()
    };
    let first = tmp.path().join("a");
    let docs = keyed(2);
    write_index_with(&first, &docs, None, "v1", &body_of).unwrap();
    assert_eq!(asked.lock().unwrap().len(), docs.len(), "every body, once");
    let idx = SearchIndex::open(&first).unwrap();
    assert_eq!(
        paths(&idx, &q("đăng kiểm"))[0],
        "/tin-tuc/dang-kiem-xe-co-gioi/",
        "the bodies were indexed"
    );
    // The key of one body changed: only that body is asked for.
    asked.lock().unwrap().clear();
    let second = tmp.path().join("b");
    let stats = write_index_with(&second, &keyed(99), Some(&first), "v1", &body_of).unwrap();
    assert_eq!((stats.indexed, stats.removed), (1, 1), "{stats:?}");
    assert_eq!(*asked.lock().unwrap(), [2]);
}

#[test]
fn matching_urls_are_the_pages_with_every_word_on_the_site_asked() {
    let (_t, idx) = index();
    let mut r = q("chuyen doi so");
    r.site = Some("mt".into());
    let urls = idx.matching_urls(&r, 1000).unwrap();
    let all: Vec<String> = idx
        .search(&Request {
            per_page: 50,
            ..r.clone()
        })
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.url)
        .collect();
    assert!(!urls.is_empty());
    // The same pages as the search's (in an order without its proximity bonus).
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(sorted(urls.clone()), sorted(all));
    assert!(
        urls.iter().all(|u| u.starts_with("https://mt.gov.vn/")),
        "{urls:?}"
    );
    // Every word, or nothing: no fallback to any of them.
    assert!(idx
        .matching_urls(&q("chuyen doi so khongcotu"), 1000)
        .unwrap()
        .is_empty());
    assert!(idx.matching_urls(&q("  "), 1000).unwrap().is_empty());
    assert_eq!(idx.matching_urls(&r, 1).unwrap().len(), 1);
}
