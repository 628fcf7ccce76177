//! Images of pages made ready for a CDN: the variants a build writes (widths, formats, names
//! holding a hash), the manifest entries, the `<picture>` markup of lead images, thumbnails
//! and Markdown images, the reuse of variants over a previous build, and every bad image (not
//! an image, cut short, a decompression bomb), EXIF orientation and EXIF metadata.
//!
//! The images are made here with the image crate, so the test needs no binary fixture.

mod common;

use std::collections::BTreeMap;
use std::io::Cursor;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use common::*;
use image::{ImageEncoder, RgbImage, RgbaImage};

/// A JPEG `w`×`h` whose pixels depend on `seed`, with `exif` (TIFF bytes) when not empty.
fn jpeg(w: u32, h: u32, seed: u8, exif: Vec<u8>) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, seed.wrapping_mul(37)])
    });
    let mut out = Vec::new();
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
    if !exif.is_empty() {
        enc.set_exif_metadata(exif).unwrap();
    }
    enc.write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// A PNG `w`×`h` with transparency.
fn png(w: u32, h: u32) -> Vec<u8> {
    let img = RgbaImage::from_fn(w, h, |x, y| image::Rgba([x as u8, y as u8, 90, 128]));
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(Cursor::new(&mut out))
        .write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgba8)
        .unwrap();
    out
}

/// What a camera writes in EXIF (little-endian TIFF): orientation 6 (turn 90° clockwise to
/// show), and a GPS block holding `GPS_MARK`.
fn exif_orientation_6_with_gps() -> Vec<u8> {
    let mut t: Vec<u8> = b"II\x2a\x00\x08\x00\x00\x00".to_vec();
    let entry = |t: &mut Vec<u8>, tag: u16, ty: u16, count: u32, value: [u8; 4]| {
        t.extend(tag.to_le_bytes());
        t.extend(ty.to_le_bytes());
        t.extend(count.to_le_bytes());
        t.extend(value);
    };
    // IFD0 at 8: two entries; the GPS IFD follows it at 8 + 2 + 24 + 4 = 38.
    t.extend(2u16.to_le_bytes());
    entry(&mut t, 0x0112, 3, 1, [6, 0, 0, 0]);
    entry(&mut t, 0x8825, 4, 1, 38u32.to_le_bytes());
    t.extend(0u32.to_le_bytes());
    // GPS IFD at 38: latitude ref "N", and a processing method (16 bytes at 38 + 30 = 68).
    t.extend(2u16.to_le_bytes());
    entry(&mut t, 0x0001, 2, 2, *b"N\0\0\0");
    entry(
        &mut t,
        0x001b,
        7,
        GPS_MARK.len() as u32,
        68u32.to_le_bytes(),
    );
    t.extend(0u32.to_le_bytes());
    assert_eq!(t.len(), 68);
    t.extend(GPS_MARK);
    t
}

const GPS_MARK: &[u8; 16] = b"GPS-21.0285N-105";

/// A network of one site with news: a bundle with a lead image (`anh.jpg`, 2000×1000) and a
/// PNG shown in its Markdown, and a second bundle with its own image.
fn site(root: &Path) {
    write_files(
        root,
        &[
            (
                "network.toml",
                "[network]\nname = \"Bộ\"\nbase_domain = \"mt.gov.vn\"\nportal = \"mt\"\n",
            ),
            ("sites/mt/site.toml", "name = \"Bộ\"\ndomain = \"mt.gov.vn\"\n"),
            ("sites/mt/_index.md", "+++\ntitle = \"Bộ\"\n+++\n"),
            (
                "sites/mt/tin-tuc/_index.md",
                "+++\ntitle = \"Tin tức\"\nkind = \"news\"\n+++\n",
            ),
            (
                "sites/mt/tin-tuc/a/index.md",
                "+++\ntitle = \"Tin A\"\ndate = 2024-05-01\n\n[news]\nimage = \"anh.jpg\"\nimage_alt = \"Cầu Long Biên\"\nimage_credit = \"Nguyễn Văn A\"\nimage_license = \"CC0\"\n+++\n\nĐoạn một.\n\n![Sơ đồ tuyến](so-do.png \"Sơ đồ\")\n\n[Ảnh gốc](anh.jpg)\n",
            ),
            (
                "sites/mt/tin-tuc/b/index.md",
                "+++\ntitle = \"Tin B\"\ndate = 2024-05-02\n\n[news]\nimage = \"b.jpg\"\nimage_alt = \"Ảnh B\"\n+++\n\nNội dung.\n",
            ),
        ],
    );
    let bundle = root.join("sites/mt/tin-tuc");
    std::fs::write(bundle.join("a/anh.jpg"), jpeg(2000, 1000, 1, Vec::new())).unwrap();
    std::fs::write(bundle.join("a/so-do.png"), png(300, 200)).unwrap();
    std::fs::write(bundle.join("b/b.jpg"), jpeg(800, 600, 2, Vec::new())).unwrap();
}

fn build(dir: &Path, out: &str) -> String {
    let o = cms(dir, &["build", "--content", "content", "--out", out]);
    assert_ok(&o);
    stderr(&o)
}

/// The files of `dir` whose names start with `prefix`, sorted.
fn named(dir: &Path, prefix: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix) && !n.ends_with(".html"))
        .collect();
    v.sort();
    v
}

/// The image variants (`<stem>.<hash>.<width>w.<ext>`) among [`named`]: not the page's own
/// files (`b.html` and its precompressed `.br`/`.gz`).
fn variants(dir: &Path, prefix: &str) -> Vec<String> {
    named(dir, prefix)
        .into_iter()
        .filter(|n| ssg::is_image_variant(n))
        .collect()
}

/// The format and size of an image file.
fn format_and_size(path: &Path) -> (image::ImageFormat, u32, u32) {
    let r = image::ImageReader::open(path)
        .unwrap()
        .with_guessed_format()
        .unwrap();
    let f = r.format().unwrap();
    let (w, h) = r.into_dimensions().unwrap();
    (f, w, h)
}

#[test]
fn variants_have_their_widths_formats_and_names_and_the_manifest_lists_them() {
    let tmp = tempfile::tempdir().unwrap();
    site(&tmp.path().join("content"));
    let err = build(tmp.path(), "public");
    assert!(err.contains("Images: 3 encoded, 0 kept"), "{err}");
    let dir = tmp.path().join("public/sites/mt.gov.vn/tin-tuc/a");
    let files = named(&dir, "anh.");
    assert_eq!(files.len(), 6, "{files:?}");
    let fp = files[0].split('.').nth(1).unwrap().to_string();
    assert_eq!(fp.len(), 8, "a hash of 8 hex digits in {}", files[0]);
    for (w, h) in [(480, 240), (960, 480), (1600, 800)] {
        for (ext, format) in [
            ("jpg", image::ImageFormat::Jpeg),
            ("webp", image::ImageFormat::WebP),
        ] {
            let name = format!("anh.{fp}.{w}w.{ext}");
            assert_eq!(format_and_size(&dir.join(&name)), (format, w, h), "{name}");
        }
    }
    // Never upscaled: a 300 px PNG has its own width only, as PNG and WebP.
    let png = named(&dir, "so-do.");
    assert_eq!(png.len(), 2, "{png:?}");
    assert!(png[0].ends_with(".300w.png") && png[1].ends_with(".300w.webp"));
    assert_eq!(format_and_size(&dir.join(&png[0])).1, 300);
    // The sources are not published.
    assert!(!dir.join("anh.jpg").exists() && !dir.join("so-do.png").exists());

    let manifest: serde_json::Value =
        serde_json::from_str(&read(&tmp.path().join("public"), "manifest.json")).unwrap();
    let entries: BTreeMap<&str, &serde_json::Value> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["path"].as_str().unwrap(), e))
        .collect();
    for name in files.iter().chain(&png) {
        let path = format!("sites/mt.gov.vn/tin-tuc/a/{name}");
        let e = entries
            .get(path.as_str())
            .unwrap_or_else(|| panic!("{path} not listed"));
        let bytes = std::fs::read(dir.join(name)).unwrap();
        use sha2::Digest;
        assert_eq!(e["hash"], hex::encode(sha2::Sha256::digest(&bytes)));
        assert_eq!(e["size"], bytes.len() as u64);
        let mime = match name.rsplit('.').next().unwrap() {
            "jpg" => "image/jpeg",
            "png" => "image/png",
            _ => "image/webp",
        };
        assert_eq!(e["type"], mime, "{name}");
        assert!(e.get("encoding").is_none());
    }
    assert!(!entries.contains_key("sites/mt.gov.vn/tin-tuc/a/anh.jpg"));
}

#[test]
fn pages_lists_and_markdown_show_pictures_with_srcset_sizes_and_dimensions() {
    let tmp = tempfile::tempdir().unwrap();
    site(&tmp.path().join("content"));
    build(tmp.path(), "public");
    let out = tmp.path().join("public/sites/mt.gov.vn");
    let page = read(&out, "tin-tuc/a/index.html");
    let fp = named(&out.join("tin-tuc/a"), "anh.")[0]
        .split('.')
        .nth(1)
        .unwrap()
        .to_string();
    let lead = page
        .split("<picture>")
        .nth(1)
        .expect("a lead picture")
        .split("</picture>")
        .next()
        .unwrap();
    assert!(lead.contains("type=image/webp"), "{lead}");
    assert!(
        lead.contains(&format!(
            "/tin-tuc/a/anh.{fp}.480w.webp 480w, /tin-tuc/a/anh.{fp}.960w.webp 960w, /tin-tuc/a/anh.{fp}.1600w.webp 1600w"
        )),
        "{lead}"
    );
    assert!(
        lead.contains(&format!("/tin-tuc/a/anh.{fp}.480w.jpg 480w")),
        "{lead}"
    );
    assert!(
        has_attr(lead, "width", "1600") && has_attr(lead, "height", "800"),
        "{lead}"
    );
    assert!(has_attr(lead, "alt", "\"Cầu Long Biên\"") || lead.contains("alt=\"Cầu Long Biên\""));
    assert!(lead.contains("sizes="), "{lead}");
    assert!(has_attr(lead, "fetchpriority", "high"), "{lead}");
    assert!(
        !lead.contains("loading=lazy"),
        "the lead image is above the fold: {lead}"
    );
    assert!(
        page.contains("Nguyễn Văn A") && page.contains("CC0"),
        "credit and licence"
    );
    assert!(
        !page.contains("class=files"),
        "the lead image is not a file to download"
    );
    // The Markdown's image: a lazy picture with its alt text and title.
    let body = page
        .split("<picture>")
        .nth(2)
        .expect("the Markdown's picture");
    assert!(
        body.contains("300w") && body.contains("alt=\"Sơ đồ tuyến\""),
        "{body}"
    );
    assert!(
        has_attr(body, "loading", "lazy") && has_attr(body, "height", "200"),
        "{body}"
    );
    assert!(
        body.contains("title=\"Sơ đồ\"") || has_attr(body, "title", "Sơ đồ"),
        "{body}"
    );
    // The Markdown's link to the image goes to its widest variant.
    assert!(
        page.contains(&format!("/tin-tuc/a/anh.{fp}.1600w.jpg>Ảnh gốc"))
            || page.contains(&format!("/tin-tuc/a/anh.{fp}.1600w.jpg\">Ảnh gốc")),
        "{page}"
    );
    // A list's thumbnails: lazy, with the same variants, their alt empty beside the title.
    let list = read(&out, "tin-tuc/index.html");
    assert_eq!(list.matches("<picture>").count(), 2, "{list}");
    assert!(
        has_attr(&list, "loading", "lazy") && has_attr(&list, "sizes", "8rem"),
        "{list}"
    );
    assert!(
        list.contains(&format!("/tin-tuc/a/anh.{fp}.480w.webp 480w")),
        "{list}"
    );
}

#[test]
fn over_a_previous_build_only_new_or_changed_images_are_encoded() {
    let tmp = tempfile::tempdir().unwrap();
    let content = tmp.path().join("content");
    site(&content);
    build(tmp.path(), "public");
    let a = tmp.path().join("public/sites/mt.gov.vn/tin-tuc/a");
    let b = tmp.path().join("public/sites/mt.gov.vn/tin-tuc/b");
    let ino = |p: &Path| std::fs::metadata(p).unwrap().ino();
    let before: Vec<(String, u64)> = named(&a, "anh.")
        .into_iter()
        .map(|n| (n.clone(), ino(&a.join(&n))))
        .collect();

    // Nothing changed but a page's text: no image is decoded, the variants are the same files.
    let page = content.join("sites/mt/tin-tuc/b/index.md");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(&page, text.replace("Nội dung.", "Nội dung mới.")).unwrap();
    let err = build(tmp.path(), "public");
    assert!(err.contains("Images: 0 encoded, 3 kept"), "{err}");
    for (n, i) in &before {
        assert_eq!(ino(&a.join(n)), *i, "{n} was written again");
    }

    // One image changed: only it is encoded, under new names; the old ones are gone.
    std::fs::write(
        content.join("sites/mt/tin-tuc/b/b.jpg"),
        jpeg(800, 600, 3, Vec::new()),
    )
    .unwrap();
    let old_b = variants(&b, "b.");
    let err = build(tmp.path(), "public");
    assert!(err.contains("Images: 1 encoded, 2 kept"), "{err}");
    let new_b = variants(&b, "b.");
    assert_eq!(new_b.len(), old_b.len());
    assert!(
        new_b.iter().all(|n| !old_b.contains(n)),
        "{old_b:?} → {new_b:?}"
    );
    assert!(
        read(&b, "index.html").contains(&new_b[0]),
        "the page shows the new image"
    );
    for (n, i) in &before {
        assert_eq!(ino(&a.join(n)), *i, "{n} was written again");
    }

    // And the output is the clean build's, byte for byte.
    build(tmp.path(), "clean");
    assert_eq!(
        read_tree(&tmp.path().join("public")),
        read_tree(&tmp.path().join("clean"))
    );
}

#[test]
fn exif_orientation_is_applied_and_exif_metadata_is_not_published() {
    let tmp = tempfile::tempdir().unwrap();
    let content = tmp.path().join("content");
    site(&content);
    // Stored 640×320, shown turned: 320 wide, 640 high.
    let src = jpeg(640, 320, 4, exif_orientation_6_with_gps());
    assert!(
        src.windows(GPS_MARK.len()).any(|w| w == GPS_MARK),
        "the source carries its GPS block"
    );
    std::fs::write(content.join("sites/mt/tin-tuc/a/anh.jpg"), src).unwrap();
    build(tmp.path(), "public");
    let dir = tmp.path().join("public/sites/mt.gov.vn/tin-tuc/a");
    let files = named(&dir, "anh.");
    assert_eq!(files.len(), 2, "{files:?}");
    for f in &files {
        assert!(f.contains(".320w."), "{f}");
        let (_, w, h) = format_and_size(&dir.join(f));
        assert_eq!((w, h), (320, 640), "{f} upright");
    }
    assert!(has_attr(&read(&dir, "index.html"), "height", "640"));
    for e in walkdir::WalkDir::new(tmp.path().join("public")) {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let bytes = std::fs::read(e.path()).unwrap();
            assert!(
                !bytes.windows(GPS_MARK.len()).any(|w| w == GPS_MARK),
                "GPS data published in {}",
                e.path().display()
            );
            assert!(
                !bytes.windows(6).any(|w| w == b"Exif\0\0"),
                "EXIF published in {}",
                e.path().display()
            );
        }
    }
}

/// Builds the site with `anh.jpg` replaced by `bytes` over a previous output, and checks the
/// build fails with a message naming the image and its page, and leaves the output alone.
fn fails_with(bytes: &[u8], expect: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let content = tmp.path().join("content");
    site(&content);
    build(tmp.path(), "public");
    let before = read_tree(&tmp.path().join("public"));
    std::fs::write(content.join("sites/mt/tin-tuc/a/anh.jpg"), bytes).unwrap();
    for args in [
        &["build", "--content", "content", "--out", "public"][..],
        &["check", "--content", "content"][..],
    ] {
        let o = cms(tmp.path(), args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains("content/sites/mt/tin-tuc/a/anh.jpg"),
            "names the file: {err}"
        );
        assert!(
            err.contains("sites/mt/tin-tuc/a/index.md"),
            "names the page: {err}"
        );
        assert!(err.contains(expect), "expected `{expect}` in: {err}");
        assert!(err.contains(": error: "), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    assert_eq!(
        read_tree(&tmp.path().join("public")),
        before,
        "output untouched"
    );
}

#[test]
fn a_file_that_is_not_an_image_is_an_error_naming_it() {
    fails_with(b"<html>not a photo</html>", "is not a JPEG or PNG image");
}

#[test]
fn a_truncated_image_is_an_error_naming_it() {
    let whole = jpeg(1200, 800, 5, Vec::new());
    fails_with(&whole[..whole.len() / 2], "cannot be read as an image");
}

#[test]
fn a_decompression_bomb_is_refused_before_it_is_decoded() {
    // A valid PNG header claiming 100000×100000 pixels (40 GB decoded) and a few bytes of data.
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let chunk = |png: &mut Vec<u8>, ty: &[u8], data: &[u8]| {
        png.extend((data.len() as u32).to_be_bytes());
        let mut crc_in = ty.to_vec();
        crc_in.extend(data);
        png.extend(&crc_in);
        png.extend(crc32(&crc_in).to_be_bytes());
    };
    let mut ihdr = Vec::new();
    ihdr.extend(100_000u32.to_be_bytes());
    ihdr.extend(100_000u32.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(
        &mut png,
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    chunk(&mut png, b"IEND", &[]);
    fails_with(&png, "too large to process safely");
}

/// CRC-32 of PNG chunks (a few lines, for a test that writes one header by hand).
fn crc32(bytes: &[u8]) -> u32 {
    let mut c = 0xffff_ffffu32;
    for &b in bytes {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xedb8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}

#[test]
fn an_image_field_without_its_alt_text_is_an_error_naming_the_field() {
    let tmp = tempfile::tempdir().unwrap();
    let content = tmp.path().join("content");
    site(&content);
    let page = content.join("sites/mt/tin-tuc/b/index.md");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(&page, text.replace("image_alt = \"Ảnh B\"\n", "")).unwrap();
    let o = cms(tmp.path(), &["check", "--content", "content"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("sites/mt/tin-tuc/b/index.md:"), "{err}");
    assert!(err.contains("image_alt"), "{err}");
}
