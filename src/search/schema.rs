//! The tantivy schema: one document per heading section.

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

/// Boost of the title field (page title plus heading path) over the body.
pub const TITLE_BOOST: f32 = 2.0;

/// The fields, resolved once.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Page title and heading path, analysed (boosted).
    pub title: Field,
    /// Section text, analysed and stored (snippets).
    pub body: Field,
    /// The record number (page order, then section order); equals the browser's record id.
    pub record: Field,
    /// Page number, indexed so `serve` can replace one page's sections.
    pub page: Field,
    /// Page title, stored.
    pub page_title: Field,
    /// Heading path joined with ` › `, stored.
    pub heading: Field,
    /// Site-relative URL with the heading anchor, stored.
    pub url: Field,
    /// Kind.
    pub kind: Field,
    /// Owner.
    pub owner: Field,
    /// Tags (multi-valued).
    pub tag: Field,
    /// Service.
    pub service: Field,
    /// ADR status.
    pub status: Field,
    /// Freshness state (`unknown` until freshness tracking lands).
    pub freshness: Field,
}

/// The schema and its fields.
pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    // Frequencies without positions: phrases are verified on the stored text, as in the browser.
    let text = |stored: bool| {
        let opts = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(super::ANALYZER)
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        if stored { opts.set_stored() } else { opts }
    };
    let fields = Fields {
        title: b.add_text_field("title", text(false)),
        body: b.add_text_field("body", text(true)),
        record: b.add_u64_field("record", INDEXED | STORED | FAST),
        page: b.add_u64_field("page", INDEXED | STORED | FAST),
        page_title: b.add_text_field("page_title", STORED),
        heading: b.add_text_field("heading", STORED),
        url: b.add_text_field("url", STORED),
        kind: b.add_text_field("kind", STRING | STORED),
        owner: b.add_text_field("owner", STRING | STORED),
        tag: b.add_text_field("tag", STRING | STORED),
        service: b.add_text_field("service", STRING | STORED),
        status: b.add_text_field("status", STRING | STORED),
        freshness: b.add_text_field("freshness", STRING | STORED),
    };
    (b.build(), fields)
}

/// Resolves the fields of an existing index's schema.
pub fn fields(schema: &Schema) -> tantivy::Result<Fields> {
    let f = |n: &str| schema.get_field(n);
    Ok(Fields {
        title: f("title")?,
        body: f("body")?,
        record: f("record")?,
        page: f("page")?,
        page_title: f("page_title")?,
        heading: f("heading")?,
        url: f("url")?,
        kind: f("kind")?,
        owner: f("owner")?,
        tag: f("tag")?,
        service: f("service")?,
        status: f("status")?,
        freshness: f("freshness")?,
    })
}
