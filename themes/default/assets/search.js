/* lore search: ranks like `lore search` over the index `lore build` exports. No dependencies.
   Loaded on first use; the same engine runs under Node for the parity test. */
(function (root) {
  "use strict";

  var PREFIX_WEIGHT = 0.8, TYPO1_WEIGHT = 0.6, TYPO2_WEIGHT = 0.4, MAX_PREFIX = 30, MAX_TOKEN_BYTES = 40;
  var WORD_RE = /[\p{L}\p{N}]+/gu;
  var utf8 = new TextEncoder(), text8 = new TextDecoder();

  /* The analysis of `lore search` without the stemmer: the corpus word list supplies stems. */
  function tokens(text) {
    var out = [], m;
    WORD_RE.lastIndex = 0;
    while ((m = WORD_RE.exec(text))) {
      if (utf8.encode(m[0]).length < MAX_TOKEN_BYTES) { out.push(m[0].toLowerCase()); }
    }
    return out;
  }

  /* Words, "phrases" and -excluded words, as `lore search` parses them. */
  function parse(query) {
    var p = { words: [], phrases: [], excluded: [], prefixLast: false }, lastPhrase = false, i = 0, n = query.length;
    while (i < n) {
      while (i < n && /\s/.test(query[i])) { i++; }
      if (i >= n) { break; }
      if (query[i] === '"') {
        var end = query.indexOf('"', i + 1);
        if (end < 0) { end = n; }
        var ws = tokens(query.slice(i + 1, end));
        if (ws.length) { p.words = p.words.concat(ws); p.phrases.push(ws); lastPhrase = true; }
        i = end + 1;
        continue;
      }
      var j = i;
      while (j < n && !/\s/.test(query[j])) { j++; }
      var tok = query.slice(i, j);
      i = j;
      if (tok.length > 1 && tok[0] === "-") {
        p.excluded = p.excluded.concat(tokens(tok.slice(1)));
      } else {
        var t = tokens(tok);
        if (t.length) { p.words = p.words.concat(t); lastPhrase = false; }
      }
    }
    p.prefixLast = !lastPhrase && p.words.length > 0;
    return p;
  }

  function cmpBytes(a, b) {
    /* Bytewise UTF-8 order, as the index is sorted. */
    if (a === b) { return 0; }
    var x = utf8.encode(a), y = utf8.encode(b), n = Math.min(x.length, y.length);
    for (var i = 0; i < n; i++) { if (x[i] !== y[i]) { return x[i] - y[i]; } }
    return x.length - y.length;
  }

  /* Optimal-string-alignment distance, capped at max + 1. */
  function editDistance(a, b, max) {
    a = Array.from(a); b = Array.from(b);
    if (Math.abs(a.length - b.length) > max) { return max + 1; }
    var d = [], i, j;
    for (i = 0; i <= a.length; i++) { d.push([i]); }
    for (j = 0; j <= b.length; j++) { d[0][j] = j; }
    for (i = 1; i <= a.length; i++) {
      for (j = 1; j <= b.length; j++) {
        var v = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) { v = Math.min(v, d[i - 2][j - 2] + 1); }
        d[i][j] = v;
      }
    }
    return Math.min(d[a.length][b.length], max + 1);
  }

  function buckets(word) {
    var c = Array.from(word).slice(0, 2), out = [c.join("")];
    if (c.length === 2 && c[0] !== c[1]) { out.push(c[1] + c[0]); }
    return out;
  }

  /* A shard: entries in bytewise order (see the Rust exporter for the layout). */
  function decodeShard(bytes) {
    var pos = 0, prev = new Uint8Array(0), map = new Map();
    function varint() {
      var v = 0, shift = 0, b;
      do { b = bytes[pos++]; v += (b & 0x7f) * Math.pow(2, shift); shift += 7; } while (b & 0x80);
      return v;
    }
    function front(base) {
      var shared = bytes[pos], len = bytes[pos + 1], out = new Uint8Array(shared + len);
      out.set(base.subarray(0, shared)); out.set(bytes.subarray(pos + 2, pos + 2 + len), shared);
      pos += 2 + len;
      return out;
    }
    while (pos < bytes.length) {
      var keyBytes = front(prev), key = text8.decode(keyBytes), flags = bytes[pos++], e = { surface: !!(flags & 1) };
      if (flags & 4) { e.stem = text8.decode(front(keyBytes)); e.df = varint(); }
      if (flags & 2) {
        var df = varint(), recs = new Uint32Array(df), imps = new Uint8Array(df), last = 0;
        e.max = new DataView(bytes.buffer, bytes.byteOffset + pos, 4).getFloat32(0, true);
        pos += 4;
        for (var i = 0; i < df; i++) { last += varint(); recs[i] = last; imps[i] = bytes[pos++]; }
        e.recs = recs; e.imps = imps;
        if (!(flags & 4)) { e.df = df; }
      }
      if (flags & 8) {
        /* A portal's merged index: the best postings above, the rest in a file of their own. */
        e.df = varint();
        e.tailBound = new DataView(bytes.buffer, bytes.byteOffset + pos, 4).getFloat32(0, true);
        e.tail = text8.decode(bytes.subarray(pos + 4, pos + 12));
        pos += 12;
      }
      if (!e.stem) { e.stem = key; }
      map.set(key, e);
      prev = keyBytes;
    }
    return map;
  }

  /* The engine. `load(name)` resolves to the decompressed bytes of a file of the index. */
  function Engine(load) {
    this.load = load;
    this.cache = new Map();
    this.fetched = [];
  }

  Engine.prototype.init = function (headName) {
    var self = this;
    return this.file(headName).then(function (bytes) {
      var h = JSON.parse(text8.decode(bytes));
      if (h.v !== 2) { throw new Error("unsupported search index version " + h.v); }
      self.head = h;
      var page = new Uint32Array(h.n), r = 0, first = [], at = 0, p, k;
      if (h.stride) {
        /* A portal's merged index: page p's sections are records p × stride onwards. */
        for (p = 0; r < h.n; p++) { first.push(r); for (k = 0; k < h.stride; k++) { page[r++] = p; } }
      }
      for (p = 0; p < h.sections.length; p++) {
        first.push(r);
        for (k = h.sections.charCodeAt(p) - 48; k > 0; k--) { page[r++] = p; }
      }
      self.recPage = page; self.pageFirst = first;
      self.demoted = new Set(h.demoted.map(function (d) { at += d; return at; }));
      self.best = new Float32Array(h.n); self.total = new Float32Array(h.n); self.count = new Uint8Array(h.n);
      return self;
    });
  };

  Engine.prototype.file = function (name) {
    var c = this.cache.get(name), cache = this.cache;
    if (!c) {
      this.fetched.push(name);
      c = this.load(name);
      cache.set(name, c);
      /* A failed fetch is tried again next time. */
      c.catch(function () { if (cache.get(name) === c) { cache.delete(name); } });
    }
    return c;
  };

  /* Index of the last table row whose first key is <= key. */
  function rowFor(table, key) {
    var lo = 0, hi = table.length - 1, at = 0;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (cmpBytes(table[mid][0], key) <= 0) { at = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return at;
  }

  Engine.prototype.shard = function (i) {
    var self = this, name = "s/" + this.head.shards[i][1] + ".bin.gz", key = "s" + i;
    if (!this.cache.has(key)) { this.cache.set(key, this.file(name).then(decodeShard)); }
    return this.cache.get(key);
  };

  Engine.prototype.entry = function (key) {
    if (!this.head.shards.length) { return Promise.resolve(undefined); }
    return this.shard(rowFor(this.head.shards, key)).then(function (m) { return m.get(key); });
  };

  /* The shards to load for a typed word: its own, and where a long postings list forced a cut
     between words and their stems (the row is marked 1), the shards within that run where the
     word's stem would sort if it is the word less a common English ending; so the stem usually
     comes in the same round. */
  Engine.prototype.wordShards = function (word) {
    var t = this.head.shards, i = rowFor(t, word), out = [i], lo = i;
    while (lo > 0 && t[lo][2]) { lo--; }
    if (lo < i) {
      stemGuesses(word).forEach(function (g) {
        var j = rowFor(t, g);
        if (j >= lo && out.indexOf(j) < 0) { out.push(j); }
      });
    }
    return out;
  };

  /* `entry` for a typed word, with its stem's shard loaded alongside. */
  Engine.prototype.lookup = function (word) {
    if (!this.head.shards.length) { return Promise.resolve(undefined); }
    var self = this;
    return Promise.all(this.wordShards(word).map(function (j) { return self.shard(j); })).then(function (ms) { return ms[0].get(word); });
  };

  /* Word-pack lines of one bucket: [word, df, stem]. */
  Engine.prototype.bucket = function (b) {
    var self = this, table = this.head.words;
    if (!table.length) { return Promise.resolve([]); }
    var i = rowFor(table, b), key = "w" + i;
    if (!this.cache.has(key)) {
      this.cache.set(key, this.file(table[i][1]).then(function (bytes) {
        return text8.decode(bytes).split("\n").filter(Boolean).map(function (l) {
          var f = l.split("\t");
          return [f[0], +f[1], f[2] || f[0]];
        });
      }));
    }
    return this.cache.get(key).then(function (lines) {
      return lines.filter(function (l) { return Array.from(l[0]).slice(0, 2).join("") === b; });
    });
  };

  /* Surface words starting with `word`: from the shards when they are few, else the word pack. */
  Engine.prototype.prefixWords = function (word) {
    var self = this, shards = this.head.shards, from = rowFor(shards, word), to = from;
    while (to + 1 < shards.length && cmpBytes(shards[to + 1][0], word) >= 0 && shards[to + 1][0].indexOf(word) === 0) { to++; }
    if (to - from <= 1) {
      var jobs = [this.lookup(word), null];
      for (var i = from; i <= to; i++) { jobs.push(this.shard(i)); }
      return Promise.all(jobs).then(function (maps) {
        var out = [];
        maps.slice(2).forEach(function (m) {
          m.forEach(function (e, k) { if (e.surface && k.indexOf(word) === 0) { out.push([k, e.df || 0, e.stem]); } });
        });
        return out;
      });
    }
    return this.bucket(Array.from(word).slice(0, 2).join("")).then(function (lines) {
      return lines.filter(function (l) { return l[0].indexOf(word) === 0; });
    });
  };

  /* Likely stems of a word: less a common English ending or a final e (and a doubled last
     consonant), and a final y as i. */
  function stemGuesses(word) {
    var chars = Array.from(word), out = [];
    SUFFIXES.concat(["e"]).forEach(function (suf) {
      var n = chars.length - suf.length;
      if (n >= 2 && chars.slice(n).join("") === suf) {
        var base = chars.slice(0, n);
        out.push(base.join(""));
        if (base[n - 1] === base[n - 2] && !/[aeiou]/.test(base[n - 1])) { out.push(base.slice(0, -1).join("")); }
      }
    });
    if (chars[chars.length - 1] === "y") { out.push(chars.slice(0, -1).join("") + "i"); }
    return out;
  }

  /* For a word the corpus lacks, a stem with postings left by removing a common English suffix:
     what the stemmer mostly makes of it ("freshness" -> "fresh"). */
  var SUFFIXES = ["s", "es", "ed", "ing", "ings", "ly", "ness", "ment", "ments", "ful", "er", "ers", "ation", "ations", "ity"];
  Engine.prototype.guessStem = function (word) {
    var chars = Array.from(word), keys = [], self = this;
    for (var k = chars.length - 1; k >= Math.max(3, chars.length - 5); k--) {
      if (SUFFIXES.indexOf(chars.slice(k).join("")) >= 0) { keys.push(chars.slice(0, k).join("")); }
    }
    return Promise.all(keys.map(function (k) { return self.entry(k); })).then(function (es) {
      for (var i = 0; i < es.length; i++) { if (es[i] && es[i].recs) { return keys[i]; } }
      return null;
    });
  };

  /* Typo candidates of a word the corpus lacks: [[stem, weight]] from its word packs. */
  Engine.prototype.typos = function (word) {
    var self = this, len = Array.from(word).length, max = len >= 8 ? 2 : 1;
    if (len < 4) { return Promise.resolve([]); }
    return Promise.all(buckets(word).map(function (b) { return self.bucket(b); })).then(function (packs) {
      var out = [];
      packs.forEach(function (lines) {
        lines.forEach(function (l) {
          var d = editDistance(word, l[0], max);
          if (d >= 1 && d <= max) { out.push([l[2], d === 1 ? TYPO1_WEIGHT : TYPO2_WEIGHT]); }
        });
      });
      return out;
    });
  };

  /* Starts loading what a query being typed will need, before it runs: the word packs of its
     last word (typo candidates), which stay the same while the word grows. */
  Engine.prototype.prefetch = function (query) {
    var words = parse(query).words, last = words[words.length - 1];
    if (!this.head || !last || Array.from(last).length < 2 || !this.head.words.length) { return; }
    var self = this;
    buckets(last).forEach(function (b) { self.bucket(b).catch(function () {}); });
  };

  /* The stems a query word stands for, with weights: Map stem -> weight. Round trips: the
     shard holding the word (which holds its stem too, and the prefix range with it); for a word
     the corpus lacks, then its word packs and guessed stem together. */
  Engine.prototype.expand = function (word, prefix) {
    var self = this, out = new Map(), len = Array.from(word).length;
    function add(stem, w) { if (!(out.get(stem) >= w)) { out.set(stem, w); } }
    // The prefix range is fetched in parallel with the word's own entry (usually the same shard).
    var prefixed = prefix && len >= 3 ? this.prefixWords(word) : null;
    var resolved = this.lookup(word).then(function (e) {
      if (e && e.surface) { add(e.stem, 1); return; }
      return Promise.all([self.guessStem(word), self.typos(word)]).then(function (r) {
        add(r[0] || word, 1);
        r[1].forEach(function (c) { add(c[0], c[1]); });
      });
    });
    var jobs = [resolved];
    if (prefixed) {
      jobs.push(prefixed.then(function (list) {
        list = list.filter(function (l) { return l[0] !== word; });
        list.sort(function (a, b) { return b[1] - a[1] || cmpBytes(a[0], b[0]); });
        return list.slice(0, MAX_PREFIX);
      }));
    }
    return Promise.all(jobs).then(function (r) {
      if (r[1]) { r[1].forEach(function (l) { add(l[2], PREFIX_WEIGHT); }); }
      return out;
    });
  };

  /* The rest of a tiered entry's postings (flag 8), loaded into it once. */
  Engine.prototype.withTail = function (e) {
    if (!e || !e.tail) { return Promise.resolve(e); }
    if (!e.tailLoaded) {
      e.tailLoaded = this.file("t/" + e.tail + ".bin.gz").then(function (bytes) {
        var pos = 0, df, last = 0;
        function varint() {
          var v = 0, shift = 0, b;
          do { b = bytes[pos++]; v += (b & 0x7f) * Math.pow(2, shift); shift += 7; } while (b & 0x80);
          return v;
        }
        df = varint();
        e.tailMax = new DataView(bytes.buffer, bytes.byteOffset + pos, 4).getFloat32(0, true);
        pos += 4;
        e.tailRecs = new Uint32Array(df); e.tailImps = new Uint8Array(df);
        for (var i = 0; i < df; i++) { last += varint(); e.tailRecs[i] = last; e.tailImps[i] = bytes[pos++]; }
        return e;
      });
    }
    return e.tailLoaded;
  };

  /* Record -> best weighted impact, for one expanded word: [records, scores] (typed arrays).
     `full`: with the rest of tiered entries. */
  Engine.prototype.scores = function (expansions, full) {
    var self = this, keys = Array.from(expansions.keys());
    return Promise.all(keys.map(function (k) {
      return self.entry(k).then(function (e) { return full ? self.withTail(e) : e; });
    })).then(function (entries) {
      var best = self.best, touched = [];
      function add(recs, imps, w) {
        for (var j = 0; j < recs.length; j++) {
          var s = w * imps[j], r = recs[j];
          if (best[r] === 0) { touched.push(r); best[r] = s; } else if (s > best[r]) { best[r] = s; }
        }
      }
      entries.forEach(function (e, i) {
        if (!e || !e.recs) { return; }
        add(e.recs, e.imps, expansions.get(keys[i]) * e.max / 255);
        if (full && e.tailRecs) { add(e.tailRecs, e.tailImps, expansions.get(keys[i]) * e.tailMax / 255); }
      });
      var recs = Uint32Array.from(touched), scores = new Float32Array(recs.length);
      for (var k = 0; k < recs.length; k++) { scores[k] = best[recs[k]]; best[recs[k]] = 0; }
      return [recs, scores];
    });
  };

  Engine.prototype.filterPages = function (filters) {
    var self = this, facets = Object.keys(filters || {}).filter(function (f) { return filters[f]; });
    if (!facets.length) { return Promise.resolve(null); }
    return Promise.all(facets.map(function (f) {
      var meta = self.head.facets[f];
      if (!meta) { return new Set(); }
      return self.file(meta.file).then(function (bytes) {
        var lists = JSON.parse(text8.decode(bytes)), set = new Set(), at = 0;
        (lists[filters[f]] || []).forEach(function (d) { at += d; set.add(at); });
        return set;
      });
    })).then(function (sets) {
      return sets.reduce(function (a, b) { return new Set(Array.from(a).filter(function (x) { return b.has(x); })); });
    });
  };

  Engine.prototype.fragment = function (page) {
    var f = this.head.fragments, n = Math.floor(page / f.per);
    return this.file("f/" + f.groups[Math.floor(n / f.group)] + "-" + n + ".json.gz").then(function (bytes) {
      return JSON.parse(text8.decode(bytes))[page % f.per];
    });
  };

  /* Runs a query: { partial, pages: [{ page, score, records: [[rec, score]] }], words }. */
  Engine.prototype.search = function (query, filters, limit) {
    var self = this, p = parse(query), n = p.words.length;
    limit = limit || 10;
    if (!n) { return this.list(p, filters, limit); }
    var expanding = p.words.map(function (w, i) { return self.expand(w, p.prefixLast && i === n - 1); });
    var excluding = p.excluded.map(function (w) { return self.entry(w).then(function (e) { return e && e.surface ? e.stem : w; }); });
    return Promise.all([Promise.all(expanding), Promise.all(excluding), this.filterPages(filters)]).then(function (r) {
      var exps = r[0], excluded = r[1], allowed = r[2];
      /* Tiered entries (a portal's merged index): one word alone needs the rest of its
         postings only if a record there could reach the results. */
      var simple = n === 1 && !excluded.length && !p.phrases.length && !allowed;
      return attempt(!simple).then(function (res) {
        if (!simple) { return res; }
        return Promise.all(Array.from(exps[0].keys()).map(function (k) { return self.entry(k); })).then(function (es) {
          var bound = 0, keys = Array.from(exps[0].keys());
          es.forEach(function (e, i) { if (e && e.tail) { bound = Math.max(bound, exps[0].get(keys[i]) * e.tailBound); } });
          var last = res.pages[limit - 1];
          return bound === 0 || (last && last.score > bound * self.head.scale) ? res : attempt(true);
        });
      });
      function attempt(full) {
        return Promise.all(exps.map(function (e) { return self.scores(e, full); })).then(function (maps) {
          return Promise.all(excluded.map(function (s) { return self.entry(s).then(function (e) { return self.withTail(e); }); })).then(function (ex) {
            var banned = new Set();
            ex.forEach(function (e) {
              if (e && e.recs) { e.recs.forEach(function (x) { banned.add(x); }); }
              if (e && e.tailRecs) { e.tailRecs.forEach(function (x) { banned.add(x); }); }
            });
            function run(all) {
              var total = self.total, count = self.count, seen = [], out = [];
              maps.forEach(function (m) {
                var recs = m[0], scores = m[1];
                for (var j = 0; j < recs.length; j++) {
                  var rec = recs[j];
                  if (count[rec] === 0) { seen.push(rec); }
                  total[rec] += scores[j]; count[rec]++;
                }
              });
              for (var i = 0; i < seen.length; i++) {
                var rec = seen[i], s = total[rec], c = count[rec];
                total[rec] = 0; count[rec] = 0;
                if ((all && c !== n) || banned.has(rec)) { continue; }
                var page = self.recPage[rec];
                if (allowed && !allowed.has(page)) { continue; }
                if (self.demoted.has(page)) { s *= self.head.demotion; }
                out.push([rec, s]);
              }
              return ranked(out, limit * 30);
            }
            var hits = run(true), partial = false;
            if (!hits.length && n > 1 && !p.phrases.length) { hits = run(false); partial = hits.length > 0; }
            var phrases = p.phrases.length ? self.phraseFilter(hits.slice(0, 200), p.phrases, exps) : Promise.resolve(hits);
            return phrases.then(function (hits) {
              var pages = group(hits);
              if (pages.length < limit && hits.rest) { pages = group(hits.rest.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; })); }
              return { partial: partial, pages: pages, parsed: p, stems: exps };
            });
            function group(hits) {
              var pages = [], at = new Map();
              hits.forEach(function (h) {
                var page = self.recPage[h[0]], g = at.get(page);
                if (g === undefined) {
                  if (pages.length >= limit) { return; }
                  g = pages.length; at.set(page, g);
                  pages.push({ page: page, score: h[1] * self.head.scale, records: [] });
                }
                if (pages[g].records.length < 3) { pages[g].records.push([h[0], h[1] * self.head.scale]); }
              });
              return pages;
            }
          });
        });
      }
    });
  };

  /* Without words, the pages that pass the filters, in site order, each with its first
     section (as `lore search --kind …` lists them); `total` counts them all. */
  Engine.prototype.list = function (p, filters, limit) {
    var self = this;
    return this.filterPages(filters).then(function (allowed) {
      var pages = allowed ? Array.from(allowed).sort(function (a, b) { return a - b; }) : [];
      return {
        partial: false, parsed: p, stems: [], total: pages.length,
        pages: pages.slice(0, limit).map(function (page) { return { page: page, score: 0, records: [[self.pageFirst[page], 0]] }; }),
      };
    });
  };

  /* Hits best first (ties: lower record first). With many hits, only those at or above the
     `keep`-th best score are sorted; the caller falls back to everything if they do not fill
     the page list, which takes an improbable run of sections from few pages. */
  function ranked(hits, keep) {
    var cmp = function (a, b) { return b[1] - a[1] || a[0] - b[0]; };
    if (hits.length <= keep * 2) { return hits.sort(cmp); }
    var scores = new Float32Array(hits.length);
    for (var i = 0; i < hits.length; i++) { scores[i] = hits[i][1]; }
    scores.sort();
    var cut = scores[scores.length - keep];
    var top = hits.filter(function (h) { return h[1] >= cut; }).sort(cmp);
    top.rest = hits;
    return top;
  }

  /* Keeps records whose text holds each phrase's words next to each other, checked on the
     stored fragment text (words match by stem prefix, as the fragment carries no stems). A
     section longer than its fragment that shows no phrase in the fragment may hold it further
     on: it is kept after the confirmed ones; one shown whole without the phrase is dropped. */
  Engine.prototype.phraseFilter = function (hits, phrases, exps) {
    var self = this, chars = this.head.fragments.chars || Infinity;
    return Promise.all(hits.map(function (h) { return self.fragment(self.recPage[h[0]]); })).then(function (frags) {
      var sure = [], maybe = [];
      hits.forEach(function (h, i) {
        var f = frags[i], sec = f.x[h[0] - self.pageFirst[self.recPage[h[0]]]];
        var words = tokens(f.t + " " + sec[1] + " . " + sec[2]);
        var found = phrases.every(function (ph) {
          outer: for (var s = 0; s + ph.length <= words.length; s++) {
            for (var k = 0; k < ph.length; k++) { if (!matchesWord(words[s + k], ph[k])) { continue outer; } }
            return true;
          }
          return false;
        });
        if (found) { sure.push(h); } else if (Array.from(sec[2]).length >= chars) { maybe.push(h); }
      });
      return sure.concat(maybe);
    });
  };

  function matchesWord(word, q) {
    var n = Math.max(3, Math.min(q.length, word.length) - 2);
    return word.slice(0, n) === q.slice(0, n) && Math.abs(word.length - q.length) <= 3;
  }

  /* Snippet pieces around the first matched word: [[text, isMatch], ...]. `terms` are the
     query's words and the stems they stood for (a typo's correction among them), so `failovr`
     marks `failover`. With `whole`, the whole text (a title, a heading). */
  function snippet(text, terms, size, whole) {
    var spans = [], m, re = /[\p{L}\p{N}]+/gu;
    while ((m = re.exec(text))) { spans.push([m.index, m.index + m[0].length, m[0].toLowerCase()]); }
    function hit(w) { return terms.some(function (t) { return t.length > 1 && w.indexOf(t) === 0; }); }
    var first = 0;
    for (var i = 0; i < spans.length; i++) { if (hit(spans[i][2])) { first = i; break; } }
    var s = whole ? 0 : Math.max(0, first - 4), e = whole ? spans.length : Math.min(spans.length, s + (size || 24));
    if (!spans.length) { return []; }
    var from = s === 0 ? 0 : spans[s][0], to = e === spans.length ? text.length : spans[e - 1][1], out = [], at = from;
    if (s > 0) { out.push(["…", false]); }
    for (var k = s; k < e; k++) {
      if (hit(spans[k][2])) {
        if (spans[k][0] > at) { out.push([text.slice(at, spans[k][0]), false]); }
        out.push([text.slice(spans[k][0], spans[k][1]), true]);
        at = spans[k][1];
      }
    }
    if (to > at) { out.push([text.slice(at, to), false]); }
    if (e < spans.length) { out.push(["…", false]); }
    return out;
  }

  var api = { Engine: Engine, parse: parse, tokens: tokens, editDistance: editDistance, snippet: snippet, decodeShard: decodeShard };
  if (typeof module !== "undefined" && module.exports) { module.exports = api; }
  root.LoreSearch = api;
  if (typeof document === "undefined") { return; }

  /* ---- The user interface ---- */

  function gunzip(buf) {
    var bytes = new Uint8Array(buf);
    if (bytes[0] !== 0x1f || bytes[1] !== 0x8b || typeof DecompressionStream === "undefined") { return Promise.resolve(bytes); }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).arrayBuffer().then(function (b) { return new Uint8Array(b); });
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text != null) { e.textContent = text; }
    return e;
  }

  function start(box) {
    var input = box.querySelector("input"), rootUrl = box.getAttribute("data-search-root") || "./";
    var head = box.getAttribute("data-search-head"), base = head.slice(0, head.lastIndexOf("/") + 1);
    /* The head keeps its name from build to build: revalidate it; every other file is named by
       its content and may come from the cache. */
    var engine = new Engine(function (name) {
      return fetch(base + name, name === head.slice(base.length) ? { cache: "no-cache" } : undefined).then(function (r) {
        /* `lore serve` answers 503 while it builds the index behind the pages. */
        if (r.status === 503) { throw new Error("building"); }
        if (!r.ok) { throw new Error("search index: " + r.status + " " + name); }
        return r.arrayBuffer();
      }).then(gunzip);
    });
    var panel = el("div", "search-panel"), filtersBox = el("div", "search-filters"), status = el("p", "search-status");
    var list = el("div", "search-results");
    panel.id = "search-results";
    /* A combobox and its listbox (ARIA 1.2): each result is a group of options, the page and
       its sections; the arrow keys move the active option, which the box names. */
    list.id = "search-listbox";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Search results");
    panel.hidden = true;
    panel.appendChild(filtersBox); panel.appendChild(status); panel.appendChild(list);
    box.appendChild(panel);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    var filters = {}, seq = 0, active = -1, timer = 0;
    var ready = location.protocol === "file:"
      ? Promise.reject(new Error("file"))
      : engine.init(head.slice(base.length));
    /* While the index is being built, each search tries to load it again. */
    function retry() {
      ready.catch(function (err) {
        if (err && err.message === "building") {
          ready = engine.init(head.slice(base.length));
          ready.then(facetFilters, function () {});
        }
      });
    }

    ready.then(facetFilters, function () {});
    function facetFilters() {
      ["site", "kind", "owner", "tag", "freshness"].forEach(function (f) {
        var meta = engine.head.facets[f];
        if (!meta || meta.values.length < 2) { return; }
        var sel = el("select", "search-filter");
        sel.setAttribute("aria-label", "Filter by " + f);
        sel.appendChild(new Option("any " + f, ""));
        meta.values.forEach(function (v) { sel.appendChild(new Option(v[0] + " (" + v[1] + ")", v[0])); });
        sel.addEventListener("change", function () { filters[f] = sel.value; run(); });
        filtersBox.appendChild(sel);
      });
    }

    function show(open) {
      panel.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
    }

    function href(url) {
      /* A portal's merged index links into other sites: absolute URLs stay as they are. */
      if (/^https?:\/\//i.test(url)) { return url; }
      var hash = url.indexOf("#"), path = hash < 0 ? url : url.slice(0, hash), rest = hash < 0 ? "" : url.slice(hash);
      if (location.protocol === "file:" && (path === "" || path.slice(-1) === "/")) { path += "index.html"; }
      return rootUrl + path + rest;
    }

    /* Fills `node` with `text`, the words matching `terms` in <mark> (text nodes only: page
       text never becomes markup). A title or heading is marked whole; a section's text is cut
       to a window around its first match (`windowed`). */
    function marked(node, text, terms, windowed) {
      snippet(text, terms, 24, !windowed).forEach(function (part) {
        node.appendChild(part[1] ? el("mark", null, part[0]) : document.createTextNode(part[0]));
      });
      return node;
    }

    function render(res, frags, my) {
      if (my !== seq) { return; }
      list.textContent = "";
      active = -1;
      input.removeAttribute("aria-activedescendant");
      var words = res.parsed.words.concat([]);
      res.stems.forEach(function (m) { m.forEach(function (_, s) { words.push(s); }); });
      var listing = !input.value.trim();
      status.textContent = listing
        ? (res.total ? (res.total > res.pages.length ? "The first " + res.pages.length + " of " : "") + res.total + (res.total === 1 ? " page" : " pages") + ", in site order." : "No page matches the filters.")
        : res.pages.length
          ? (res.partial ? "No page has every word; showing pages with some of them." : "")
          : "No results for “" + input.value.trim() + "”.";
      status.hidden = !status.textContent;
      res.pages.forEach(function (pg, i) {
        var f = frags[i], li = el("div", "search-result"), a = el("a", "search-page");
        li.setAttribute("role", "group");
        li.setAttribute("aria-label", f.t);
        a.href = href(f.u);
        a.setAttribute("role", "option");
        a.appendChild(marked(el("span", "search-title"), f.t, words));
        a.appendChild(el("span", "search-kind badge", f.k));
        /* In a portal's merged index, the site the page lives in. */
        if (f.w) { a.appendChild(el("span", "search-site badge", f.w)); }
        if (f.f === "stale") { a.appendChild(el("span", "search-badge badge stale", "stale")); }
        if (f.s === "superseded" || f.s === "deprecated") { a.appendChild(el("span", "search-badge badge superseded", f.s)); }
        li.appendChild(a);
        var subs = el("div", "search-sections");
        pg.records.forEach(function (r) {
          var sec = f.x[r[0] - engine.pageFirst[pg.page]], sa = el("a", "search-section");
          sa.href = href(sec[0] ? f.u + "#" + sec[0] : f.u);
          sa.setAttribute("role", "option");
          if (sec[1]) { sa.appendChild(marked(el("span", "search-heading"), sec[1], words)); }
          sa.appendChild(marked(el("span", "search-snippet"), sec[2], words, true));
          subs.appendChild(sa);
        });
        li.appendChild(subs);
        list.appendChild(li);
      });
      show(true);
    }

    function run() {
      var q = input.value, my = ++seq;
      var url = new URL(location.href);
      if (q.trim()) { url.searchParams.set("q", q.trim()); } else { url.searchParams.delete("q"); }
      try { history.replaceState(history.state, "", url.href); } catch (e) { /* file:// in some browsers */ }
      var filtered = Object.keys(filters).some(function (f) { return filters[f]; });
      if (!q.trim() && !filtered) { hint(); return; }
      ready.then(function () {
        return engine.search(q, filters, q.trim() ? 10 : 20).then(function (res) {
          return Promise.all(res.pages.map(function (p) { return engine.fragment(p.page); })).then(function (frags) { render(res, frags, my); });
        });
      }).catch(function (err) {
        if (my !== seq) { return; }
        list.textContent = "";
        status.hidden = false;
        status.textContent = err && err.message === "file"
          ? "Search needs the site served over HTTP (lore serve, or any static host)."
          : err && err.message === "building"
            ? "The search index is being built; results in a moment."
            : "Search is unavailable: " + (err && err.message);
        show(true);
        if (err && err.message === "building") { retry(); setTimeout(function () { if (my === seq) { run(); } }, 1000); }
      });
    }

    /* The empty box: the filters (when the site has some) and what they do. */
    function hint() {
      list.textContent = "";
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (!filtersBox.childNodes.length) { show(false); return; }
      status.hidden = false;
      status.textContent = "Type to search, or choose a filter to list its pages.";
      show(true);
    }

    function options() { return Array.prototype.slice.call(list.querySelectorAll("a")); }
    function move(d) {
      var o = options();
      if (!o.length) { return; }
      active = (active + d + o.length) % o.length;
      o.forEach(function (a, i) {
        if (!a.id) { a.id = "search-option-" + i; }
        a.classList.toggle("active", i === active);
        a.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", o[active].id);
      o[active].scrollIntoView({ block: "nearest" });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 60);
      ready.then(function () { engine.prefetch(input.value); }, function () {});
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { e.preventDefault(); move(1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); move(-1); }
      else if (e.key === "Enter") {
        var o = options(), a = o[active >= 0 ? active : 0];
        if (a) { e.preventDefault(); location.href = a.href; }
      } else if (e.key === "Escape") {
        /* Closed, and focus back where the reader was before "/" (else out of the box). */
        show(false);
        var back = box.loreReturnFocus;
        box.loreReturnFocus = null;
        if (back && back !== document.body && document.contains(back)) { back.focus(); } else { input.blur(); }
      }
    });
    /* On focus: the last results, or for an empty box the hint once the head is in. */
    function offer() {
      if (list.childNodes.length) { show(true); return; }
      if (input.value.trim()) { return; }
      ready.then(function () { if (document.activeElement === input && !input.value.trim()) { hint(); } }, function () {});
    }
    input.addEventListener("focus", offer);
    document.addEventListener("click", function (e) { if (!box.contains(e.target)) { show(false); } });
    var q = new URL(location.href).searchParams.get("q");
    if (q && !input.value) { input.value = q; }
    if (input.value.trim()) { run(); } else if (document.activeElement === input) { offer(); }
  }

  var box = document.querySelector(".search[data-search-head]");
  if (box) { start(box); }
})(typeof globalThis !== "undefined" ? globalThis : this);
