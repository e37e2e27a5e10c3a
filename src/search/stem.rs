//! English stemming as tantivy's `Stemmer` does it, with the words already stemmed kept: word
//! frequencies are Zipfian, so most tokens of a site are words seen before, and stemming every
//! one of them again was about a sixth of a build's CPU time.

use std::collections::HashMap;

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Words kept per analyser (each indexing thread has its own): enough for a large site's
/// vocabulary; past it, words are stemmed without being kept.
const MAX_KEPT: usize = 1 << 18;

/// The token filter: English Snowball, the algorithm tantivy's `Stemmer::new(English)` uses.
#[derive(Clone, Copy, Debug, Default)]
pub struct CachedStemmer;

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter { inner: tokenizer, stems: HashMap::new() }
    }
}

/// [`CachedStemmer`] over a tokenizer. The map uses std's randomly seeded hasher: words come
/// from untrusted pages, and crafted collisions must not make indexing quadratic.
#[derive(Clone, Debug)]
pub struct CachedStemmerFilter<T> {
    inner: T,
    stems: HashMap<String, String>,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            stems: &mut self.stems,
            stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
        }
    }
}

/// The token stream of [`CachedStemmerFilter`].
pub struct CachedStemmerStream<'a, T> {
    tail: T,
    stems: &'a mut HashMap<String, String>,
    stemmer: frostem::Stemmer,
}

impl<T: TokenStream> TokenStream for CachedStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Some(stem) = self.stems.get(&token.text) {
            token.text.clone_from(stem);
            return true;
        }
        let stem = self.stemmer.stem(&token.text).into_owned();
        if self.stems.len() < MAX_KEPT {
            self.stems.insert(std::mem::take(&mut token.text), stem.clone());
        }
        token.text = stem;
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::{
        Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
    };

    use super::*;

    /// The cached stemmer gives exactly tantivy's stems, positions and offsets, for words seen
    /// once and again.
    #[test]
    fn issue_13_cached_stems_equal_tantivys() {
        let text = "Failover failovers failing FAILED; the replicas replicate, replicated and \
                    replicating. Running runs ran runner's runners — connection connections \
                    connected. Caching cached caches cache. é café cafés naïve naïvely 42 x42";
        let analyze = |analyzer: &mut TextAnalyzer| {
            let mut out = Vec::new();
            let mut stream = analyzer.token_stream(text);
            while stream.advance() {
                let t = stream.token();
                out.push((t.text.clone(), t.position, t.offset_from, t.offset_to));
            }
            out
        };
        let base = || {
            TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(RemoveLongFilter::limit(40))
                .filter(LowerCaser)
        };
        let mut tantivy = base().filter(Stemmer::new(Language::English)).build();
        let mut cached = base().filter(CachedStemmer).build();
        let want = analyze(&mut tantivy);
        assert!(want.iter().any(|(w, ..)| w == "replic"), "{want:?}");
        assert_eq!(analyze(&mut cached), want, "first pass");
        assert_eq!(analyze(&mut cached), want, "every word from the cache");
    }
}
