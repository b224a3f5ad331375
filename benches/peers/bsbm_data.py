"""A small, deterministic dataset in the vocabulary of the Berlin SPARQL Benchmark (BSBM), and the
explore queries with their %placeholders% filled from it.

BSBM ships a Java data generator; this is not it, nor a port of it. It writes, from a seeded
`random.Random`, data of the same shape that the explore queries
(`../shared/data/sparql/benchmarks/bsbm/queries/explore/query*.txt`) read: a product type
hierarchy (`rdfs:subClassOf`), product features, producers and their products (label, comment,
features, textual and numeric properties, some optional), vendors and their offers (price, validity
dates, delivery days, web page), rating sites with reviewers (`foaf:Person`) and reviews (title,
language-tagged text, date, up to four ratings). Counts per product follow BSBM's published
proportions loosely (about 20 offers and 10 reviews a product). Labels and texts are drawn from
BSBM's own dictionary files (`titlewords.txt`, `givennames.txt`) beside the queries.

Every placeholder of a query is filled from one product (or its review or offer) drawn with the
same seed, in a way that the product itself matches the query (its type and two of its features
in query 1, a value just below its own in the numeric filters, ...), so that no query is empty by
construction.

    python bsbm_data.py --products 2000 --out bsbm.nq --queries-out queries.json --bsbm DIR

Used by `search_compare.py`'s SPARQL part through `generate` and `fill_queries`.
"""

import argparse
import datetime
import json
import random
import re
from pathlib import Path

BSBM = "http://www4.wiwiss.fu-berlin.de/bizer/bsbm/v01/vocabulary/"
INST = "http://www4.wiwiss.fu-berlin.de/bizer/bsbm/v01/instances/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
DC = "http://purl.org/dc/elements/1.1/"
FOAF = "http://xmlns.com/foaf/0.1/"
REV = "http://purl.org/stuff/rev#"
XSD = "http://www.w3.org/2001/XMLSchema#"
COUNTRY = "http://downlode.org/rdf/iso-3166/countries#"
COUNTRIES = ["US", "DE", "GB", "FR", "JP", "CN", "RU", "AT", "ES", "KR"]
LANGS = ["en"] * 7 + ["de", "fr", "ja"]
# What one product carries and the entities around it, as BSBM's proportions roughly are.
FEATURES_PER_PRODUCT = (5, 15)
OFFERS_PER_PRODUCT = 20
REVIEWS_PER_PRODUCT = 10
PRODUCTS_PER_PRODUCER = 50
OFFERS_PER_VENDOR = 1000
REVIEWS_PER_REVIEWER = 20
REVIEWERS_PER_SITE = 1000
# The "current date" the explore queries compare validity against.
CURRENT_DATE = "2008-06-20T00:00:00"


def iri(s):
    return f"<{s}>"


def lit(value, datatype=None, lang=None):
    """An N-Triples literal with the escapes the grammar requires."""
    s = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    if lang:
        return f'"{s}"@{lang}'
    if datatype:
        return f'"{s}"^^<{datatype}>'
    return f'"{s}"'


def integer(n):
    return lit(n, XSD + "integer")


def date_time(day_offset):
    """An xsd:dateTime `day_offset` days after 2007-01-01 (deterministic, no clock)."""
    day = datetime.date(2007, 1, 1) + datetime.timedelta(days=day_offset)
    return lit(f"{day.isoformat()}T00:00:00", XSD + "dateTime")


def read_words(path):
    words = [w.strip() for w in Path(path).read_text(encoding="utf-8").splitlines()]
    words = [w for w in words if re.fullmatch(r"[A-Za-z]{3,}", w)]
    if len(words) < 1000:
        raise SystemExit(f"bsbm_data: {path} holds only {len(words)} usable words")
    return words


class Writer:
    """Collects N-Quads lines into one graph."""

    def __init__(self, out, graph):
        self.out = out
        self.g = iri(graph)
        self.n = 0

    def add(self, s, p, o):
        self.out.write(f"{s} {p} {o} {self.g} .\n")
        self.n += 1


def generate(products, out_path, bsbm_dir, graph, seed=20):
    """Writes the dataset as N-Quads in `graph` to `out_path`; returns (quads, model), where the
    model holds what `fill_queries` draws placeholders from."""
    rng = random.Random(seed)
    words = read_words(Path(bsbm_dir) / "titlewords.txt")
    names = read_words(Path(bsbm_dir) / "givennames.txt")

    def text(n):
        return " ".join(rng.choice(words) for _ in range(n))

    n_types_leaf = max(4, products // 100)
    n_features = max(50, products // 10)
    n_producers = max(1, products // PRODUCTS_PER_PRODUCER)
    n_vendors = max(2, products * OFFERS_PER_PRODUCT // OFFERS_PER_VENDOR)
    n_reviewers = max(2, products * REVIEWS_PER_PRODUCT // REVIEWS_PER_REVIEWER)
    n_sites = max(1, n_reviewers // REVIEWERS_PER_SITE)
    model = {"products": [], "reviews": [], "offers": [], "offered": {"US": set(), "DE": set()}}
    current_day = (datetime.date.fromisoformat(CURRENT_DATE[:10]) - datetime.date(2007, 1, 1)).days

    with open(out_path, "w", encoding="utf-8") as f:
        w = Writer(f, graph)
        a = iri(RDF_TYPE)
        label, comment = iri(RDFS + "label"), iri(RDFS + "comment")
        publisher, date = iri(DC + "publisher"), iri(DC + "date")

        # The type hierarchy: a root, a middle level, leaves; a leaf's ancestors are its types too.
        n_mid = max(2, n_types_leaf // 8)
        parent = {1: None}
        for t in range(2, 2 + n_mid):
            parent[t] = 1
        for t in range(2 + n_mid, 2 + n_mid + n_types_leaf):
            parent[t] = rng.randrange(2, 2 + n_mid)
        leaves = list(range(2 + n_mid, 2 + n_mid + n_types_leaf))
        type_iri = {t: iri(f"{INST}ProductType{t}") for t in parent}
        for t, p in parent.items():
            w.add(type_iri[t], a, iri(BSBM + "ProductType"))
            w.add(type_iri[t], label, lit(text(2)))
            w.add(type_iri[t], comment, lit(text(12)))
            if p is not None:
                w.add(type_iri[t], iri(RDFS + "subClassOf"), type_iri[p])
            w.add(type_iri[t], publisher, iri(f"{INST}StandardizationInstitution1"))
            w.add(type_iri[t], date, date_time(rng.randrange(365)))

        # Features: each leaf type draws its products' features from a pool of its own plus
        # common ones, so that features co-occur within a type as in BSBM.
        feature_iri = [iri(f"{INST}ProductFeature{i}") for i in range(1, n_features + 1)]
        for fi in feature_iri:
            w.add(fi, a, iri(BSBM + "ProductFeature"))
            w.add(fi, label, lit(text(2)))
            w.add(fi, comment, lit(text(10)))
            w.add(fi, publisher, iri(f"{INST}StandardizationInstitution1"))
            w.add(fi, date, date_time(rng.randrange(365)))
        pool = {t: rng.sample(range(n_features), min(n_features, 40)) for t in leaves}

        for i in range(1, n_producers + 1):
            p = iri(f"{INST}dataFromProducer{i}/Producer{i}")
            w.add(p, a, iri(BSBM + "Producer"))
            w.add(p, label, lit(text(2)))
            w.add(p, comment, lit(text(15)))
            w.add(p, iri(FOAF + "homepage"), iri(f"http://www.Producer{i}.com/"))
            w.add(p, iri(BSBM + "country"), iri(COUNTRY + rng.choice(COUNTRIES)))
            w.add(p, publisher, p)
            w.add(p, date, date_time(rng.randrange(365)))

        for n in range(1, products + 1):
            producer = (n - 1) * n_producers // products + 1
            prod = iri(f"{INST}dataFromProducer{producer}/Product{n}")
            prod_pub = iri(f"{INST}dataFromProducer{producer}/Producer{producer}")
            leaf = rng.choice(leaves)
            types = [leaf]
            while parent[types[-1]] is not None:
                types.append(parent[types[-1]])
            feats = sorted(rng.sample(pool[leaf], rng.randint(*FEATURES_PER_PRODUCT)))
            nums = [rng.randint(1, 2000) for _ in range(6)]
            lab = text(rng.randint(1, 3))
            w.add(prod, a, iri(BSBM + "Product"))
            for t in types:
                w.add(prod, a, type_iri[t])
            w.add(prod, label, lit(lab))
            w.add(prod, comment, lit(text(rng.randint(20, 60))))
            w.add(prod, iri(BSBM + "producer"), prod_pub)
            w.add(prod, publisher, prod_pub)
            for fi in feats:
                w.add(prod, iri(BSBM + "productFeature"), feature_iri[fi])
            for k in range(1, 7):
                if k <= 3 or rng.random() < 0.6:
                    w.add(prod, iri(f"{BSBM}productPropertyTextual{k}"), lit(text(rng.randint(3, 10))))
                if k <= 3 or rng.random() < 0.6:
                    w.add(prod, iri(f"{BSBM}productPropertyNumeric{k}"), integer(nums[k - 1]))
            w.add(prod, date, date_time(rng.randrange(365)))
            model["products"].append(
                {"iri": prod, "types": [type_iri[t] for t in types], "features": [feature_iri[fi] for fi in feats],
                 "nums": nums, "label": lab, "leaf": leaf}
            )

        for v in range(1, n_vendors + 1):
            vend = iri(f"{INST}dataFromVendor{v}/Vendor{v}")
            w.add(vend, a, iri(BSBM + "Vendor"))
            w.add(vend, label, lit(text(2)))
            w.add(vend, comment, lit(text(15)))
            w.add(vend, iri(FOAF + "homepage"), iri(f"http://www.vendor{v}.com/"))
            w.add(vend, iri(BSBM + "country"), iri(COUNTRY + COUNTRIES[(v - 1) % len(COUNTRIES)]))
            w.add(vend, publisher, vend)
            w.add(vend, date, date_time(rng.randrange(365)))
        n_offers = products * OFFERS_PER_PRODUCT
        for o in range(1, n_offers + 1):
            v = (o - 1) * n_vendors // n_offers + 1
            off = iri(f"{INST}dataFromVendor{v}/Offer{o}")
            vend = iri(f"{INST}dataFromVendor{v}/Vendor{v}")
            pi = rng.randrange(products)
            prod = model["products"][pi]["iri"]
            start = rng.randrange(0, 500)
            valid_to = start + rng.randint(30, 300)
            days = rng.randint(1, 21)
            country = COUNTRIES[(v - 1) % len(COUNTRIES)]
            # Products with an offer that queries 7 (German vendor) and 10 (US vendor, delivery
            # within 3 days) can find, both valid after the current date.
            if valid_to > current_day and (country == "DE" or (country == "US" and days <= 3)):
                model["offered"][country].add(pi)
            w.add(off, a, iri(BSBM + "Offer"))
            w.add(off, iri(BSBM + "product"), prod)
            w.add(off, iri(BSBM + "vendor"), vend)
            w.add(off, publisher, vend)
            w.add(off, iri(BSBM + "price"), lit(f"{rng.randint(500, 1_000_000) / 100:.2f}", BSBM + "USD"))
            w.add(off, iri(BSBM + "validFrom"), date_time(start))
            w.add(off, iri(BSBM + "validTo"), date_time(valid_to))
            w.add(off, iri(BSBM + "deliveryDays"), integer(days))
            w.add(off, iri(BSBM + "offerWebpage"), iri(f"http://www.vendor{v}.com/offers/Offer{o}/"))
            w.add(off, date, date_time(rng.randrange(365)))
            if o % 97 == 1:
                model["offers"].append(off)

        for r in range(1, n_reviewers + 1):
            site = (r - 1) * n_sites // n_reviewers + 1
            person = iri(f"{INST}dataFromRatingSite{site}/Reviewer{r}")
            w.add(person, a, iri(FOAF + "Person"))
            w.add(person, iri(FOAF + "name"), lit(rng.choice(names)))
            w.add(person, iri(FOAF + "mbox_sha1sum"), lit(f"{rng.getrandbits(160):040x}"))
            w.add(person, iri(BSBM + "country"), iri(COUNTRY + rng.choice(COUNTRIES)))
            w.add(person, publisher, iri(f"{INST}dataFromRatingSite{site}/RatingSite{site}"))
            w.add(person, date, date_time(rng.randrange(365)))
        n_reviews = products * REVIEWS_PER_PRODUCT
        for r in range(1, n_reviews + 1):
            reviewer = rng.randint(1, n_reviewers)
            site = (reviewer - 1) * n_sites // n_reviewers + 1
            rev = iri(f"{INST}dataFromRatingSite{site}/Review{r}")
            prod = model["products"][rng.randrange(products)]["iri"]
            w.add(rev, a, iri(BSBM + "Review"))
            w.add(rev, iri(BSBM + "reviewFor"), prod)
            w.add(rev, iri(REV + "reviewer"), iri(f"{INST}dataFromRatingSite{site}/Reviewer{reviewer}"))
            w.add(rev, iri(BSBM + "reviewDate"), date_time(rng.randrange(540)))
            w.add(rev, iri(DC + "title"), lit(text(rng.randint(3, 8))))
            w.add(rev, iri(REV + "text"), lit(text(rng.randint(30, 80)), lang=rng.choice(LANGS)))
            for k in range(1, 5):
                if rng.random() < 0.7:
                    w.add(rev, iri(f"{BSBM}rating{k}"), integer(rng.randint(1, 10)))
            w.add(rev, publisher, iri(f"{INST}dataFromRatingSite{site}/RatingSite{site}"))
            w.add(rev, date, date_time(rng.randrange(365)))
            if r % 53 == 1:
                model["reviews"].append(rev)
    return w.n, model


def fill_queries(explore_dir, model, seed=20):
    """The explore queries 1-12 with placeholders filled, as (name, query text) in order. Each
    query's placeholders come from one product (review, offer) that matches it."""
    rng = random.Random(seed * 7919)
    products = model["products"]
    by_leaf = {}
    for p in products:
        by_leaf.setdefault(p["leaf"], []).append(p)
    current = lit(CURRENT_DATE, XSD + "dateTime")

    offered = {c: sorted(v) for c, v in model["offered"].items()}

    def product(min_features=3, offered_in=None):
        while True:
            if offered_in and offered[offered_in]:
                p = products[rng.choice(offered[offered_in])]
            else:
                p = rng.choice(products)
            if len(p["features"]) >= min_features:
                return p

    def absent_feature(p):
        others = [f for q in by_leaf[p["leaf"]] for f in q["features"] if f not in p["features"]]
        return rng.choice(others) if others else rng.choice(products)["features"][0]

    out = []
    for n in range(1, 13):
        text = (Path(explore_dir) / f"query{n}.txt").read_text(encoding="utf-8")
        p = product(offered_in={7: "DE", 10: "US"}.get(n))
        f1, f2, f3 = rng.sample(p["features"], 3)
        # A type at any level of the product's ancestry: leaves are selective, the root is not.
        ptype = p["types"][min(len(p["types"]) - 2, rng.randrange(2))] if len(p["types"]) > 1 else p["types"][0]
        word = rng.choice(p["label"].split())
        values = {
            "ProductType": ptype,
            "ProductFeature1": f1,
            "ProductFeature2": absent_feature(p) if n == 3 else f2,
            "ProductFeature3": f3,
            "x": str(max(0, p["nums"][0] - 1 - rng.randrange(400))),
            "y": str(p["nums"][2] + 1 + rng.randrange(400)) if n == 3 else str(max(0, p["nums"][1] - 1 - rng.randrange(400))),
            "ProductXYZ": p["iri"],
            "word1": word,
            "ReviewXYZ": rng.choice(model["reviews"]),
            "OfferXYZ": rng.choice(model["offers"]),
            "currentDate": current,
        }

        def sub(m):
            name = m.group(1)
            if name not in values:
                raise SystemExit(f"bsbm_data: query{n}.txt has placeholder %{name}% this generator does not fill")
            return values[name]

        out.append((f"bsbm-q{n}", re.sub(r"%([A-Za-z0-9]+)%", sub, text)))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--products", type=int, default=1000)
    ap.add_argument("--bsbm", required=True, help="the BSBM folder (titlewords.txt, givennames.txt, queries/explore)")
    ap.add_argument("--out", required=True, help="the N-Quads file to write")
    ap.add_argument("--graph", default="https://peers.example/graph/bsbm")
    ap.add_argument("--queries-out", help="also write the filled queries as JSON")
    ap.add_argument("--seed", type=int, default=20)
    args = ap.parse_args()
    n, model = generate(args.products, args.out, args.bsbm, args.graph, args.seed)
    print(f"bsbm_data: {n} quads for {args.products} products in {args.out}")
    if args.queries_out:
        queries = fill_queries(Path(args.bsbm) / "queries" / "explore", model, args.seed)
        Path(args.queries_out).write_text(json.dumps(queries, indent=1))


if __name__ == "__main__":
    main()
