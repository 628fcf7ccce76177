//! The index's fields.

use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, IndexRecordOption, Schema, TextFieldIndexing,
    TextOptions, FAST, INDEXED, STORED, STRING,
};

use crate::analysis;
use crate::Error;

/// Bumped whenever the fields or the analysis change: an index of another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 8;

/// The facets counted: a page's site, kind, language and year of publication (none for
/// undated pages), each filtered by its own raw field and counted together from `group`,
/// the four joined by [`GROUP_SEP`] (one column read a page instead of four); and its
/// taxonomy terms (`topics/Chuyển đổi số`: the taxonomy, a slash, the term's name; any
/// number), filtered and counted by the `tax` field.
pub(crate) const GROUP_FIELDS: [&str; 4] = ["site", "kind", "lang", "year"];

/// Between the values of `group`.
pub(crate) const GROUP_SEP: char = '\u{1f}';

/// The `group` value of a page.
pub(crate) fn group_value(site: &str, kind: &str, lang: &str, year: &str) -> String {
    [site, kind, lang, year].join(&GROUP_SEP.to_string())
}

/// A taxonomy term as the `tax` field holds it.
pub(crate) fn tax_value(taxonomy: &str, term: &str) -> String {
    format!("{taxonomy}/{term}")
}

/// Every field, by name.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    /// The page's full URL (`https://mt.gov.vn/van-ban/…`), stored.
    pub url: Field,
    /// The document's key: a hash of its URL (see [`url_key`]), indexed and fast. A number,
    /// where the URL itself as a term and a column cost the index writer more than all the
    /// other short fields together.
    pub key: Field,
    pub site: Field,
    pub domain: Field,
    pub kind: Field,
    pub lang: Field,
    pub path: Field,
    /// The title (exact and folded syllables), stored too for result lists.
    pub title: Field,
    /// The page's text: folded syllables with positions, as [`analysis::text_words`] writes
    /// them.
    pub body: Field,
    /// A Bloom filter of the text's syllables with diacritics (see [`crate::marks`]), a
    /// multi-valued fast field of its 64-bit words.
    pub marks: Field,
    /// Description, typed fields and taxonomy terms: words people search by.
    pub meta: Field,
    /// English text (stemmed); the title stored, as above. (Every page's text as written is
    /// kept beside the index, for excerpts: see [`crate::texts`].)
    pub title_en: Field,
    pub body_en: Field,
    pub meta_en: Field,
    /// Identifiers, whole: `1552/qd-bgtvt`.
    pub code: Field,
    /// See [`GROUP_FIELDS`] (site, kind and lang above).
    pub year: Field,
    pub group: Field,
    pub tax: Field,
    pub date: Field,
    /// A hash of everything indexed, to re-index only what changed.
    pub hash: Field,
    /// Stored only, for result lists.
    pub desc_s: Field,
}

fn text(tokenizer: &str) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    )
}

fn stored_text(tokenizer: &str) -> TextOptions {
    text(tokenizer).set_stored()
}

/// The schema of a new index.
pub(crate) fn schema() -> Schema {
    let mut b = Schema::builder();
    b.add_text_field("url", STORED);
    b.add_u64_field("key", INDEXED | FAST);
    b.add_text_field("site", STRING | STORED);
    b.add_text_field("domain", STORED);
    b.add_text_field("kind", STRING | STORED);
    b.add_text_field("lang", STRING | STORED);
    b.add_text_field("year", STRING);
    b.add_text_field("group", FAST);
    b.add_text_field("tax", STRING | FAST);
    b.add_text_field("path", STORED);
    b.add_text_field("title", stored_text(analysis::VI));
    b.add_text_field("body", text(analysis::WORDS));
    b.add_u64_field("marks", FAST);
    b.add_text_field("meta", text(analysis::VI));
    b.add_text_field("title_en", stored_text(analysis::EN));
    b.add_text_field("body_en", text(analysis::EN));
    b.add_text_field("meta_en", text(analysis::EN));
    b.add_text_field(
        "code",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analysis::CODE)
                .set_index_option(IndexRecordOption::Basic),
        ),
    );
    b.add_date_field(
        "date",
        DateOptions::from(STORED)
            .set_fast()
            .set_precision(DateTimePrecision::Seconds),
    );
    b.add_u64_field("hash", FAST);
    b.add_text_field("desc_s", STORED);
    b.build()
}

/// The fields of `schema`, checked.
pub(crate) fn fields(schema: &Schema) -> Result<Fields, Error> {
    let f = |name: &str| {
        schema
            .get_field(name)
            .map_err(|_| Error::Incompatible(format!("the index has no field `{name}`")))
    };
    Ok(Fields {
        url: f("url")?,
        key: f("key")?,
        site: f("site")?,
        domain: f("domain")?,
        kind: f("kind")?,
        lang: f("lang")?,
        path: f("path")?,
        title: f("title")?,
        body: f("body")?,
        marks: f("marks")?,
        meta: f("meta")?,
        title_en: f("title_en")?,
        body_en: f("body_en")?,
        meta_en: f("meta_en")?,
        code: f("code")?,
        year: f("year")?,
        group: f("group")?,
        tax: f("tax")?,
        date: f("date")?,
        hash: f("hash")?,
        desc_s: f("desc_s")?,
    })
}

/// The key of the document of `url`.
pub(crate) fn url_key(url: &str) -> u64 {
    twox_hash::XxHash3_64::oneshot(url.as_bytes())
}
