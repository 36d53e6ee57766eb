#!/usr/bin/env python3
"""The item feature file of docs/QUALITY.md's side-features study, from a MovieLens directory.

Usage: scripts/movielens-item-features.py ML_DIR OUT.csv [--min-tag-movies N]

Writes a CSV keyed by movieId (for `twotower train --item-features OUT.csv`) with
  genres  multi-valued, `|`-separated, as in movies.csv ("(no genres listed)" becomes empty: missing);
  year    numeric, the release year in the title's trailing "(YYYY)" (empty when the title has none);
  tags    multi-valued, `|`-separated: the distinct tags.csv tags of the movie, lower-cased and
          trimmed, kept when at least N movies (default 2) carry the tag; empty when none.
Every movie of movies.csv gets a line. Standard library only.
"""
import csv
import re
import sys
from collections import defaultdict


def main(argv):
    args = list(argv[1:])
    min_movies = 2
    if "--min-tag-movies" in args:
        i = args.index("--min-tag-movies")
        min_movies = int(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    directory, out = args
    tags = defaultdict(set)
    with open(f"{directory}/tags.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            tag = " ".join(row["tag"].replace("|", " ").split()).lower()
            if tag:
                tags[row["movieId"]].add(tag)
    movies_per_tag = defaultdict(int)
    for movie_tags in tags.values():
        for t in movie_tags:
            movies_per_tag[t] += 1
    year = re.compile(r"\((\d{4})\)\s*$")
    lines = with_year = with_tags = 0
    with open(f"{directory}/movies.csv", newline="", encoding="utf-8") as f, \
            open(out, "w", newline="", encoding="utf-8") as o:
        w = csv.writer(o, lineterminator="\n")
        w.writerow(["movieId", "genres", "year", "tags"])
        for row in csv.DictReader(f):
            genres = "" if row["genres"] == "(no genres listed)" else row["genres"]
            m = year.search(row["title"])
            kept = sorted(t for t in tags.get(row["movieId"], ()) if movies_per_tag[t] >= min_movies)
            w.writerow([row["movieId"], genres, m.group(1) if m else "", "|".join(kept)])
            lines += 1
            with_year += bool(m)
            with_tags += bool(kept)
    print(f"{out}: {lines} movies, {with_year} with a year, {with_tags} with tags "
          f"({sum(1 for n in movies_per_tag.values() if n >= min_movies)} tags on ≥ {min_movies} movies)",
          file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv)
