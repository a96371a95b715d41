"""Synthetic data.police.uk bulk files: a national year in the exact CSV layouts.

Crimes are spread over England and Wales with a realistic density: most fall in towns and
cities (weighted by population, tight cores with wider suburbs), the rest thinly over the
countryside. Like the real files, points are snapped to a finite set of anonymous map points
with street names, a seventh are anti-social behaviour with no Crime ID, about 5 % have no
location, and each force also gets an outcomes file.

    .venv/bin/python bench/gen_police.py OUT_DIR [--months 12] [--rows 500000] [--seed 1]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bigsociety.crime.bulk import CATEGORIES, FORCES, LAYOUTS, add_months, month_str  # noqa: E402

# (name, lat, lng, weight ~ population in 100k, force slug, spread in degrees)
CITIES = [
    ("Westminster", 51.5074, -0.1278, 30, "metropolitan", 0.15),
    ("City", 51.5155, -0.0922, 0.5, "city-of-london", 0.006),
    ("Birmingham", 52.4862, -1.8904, 12, "west-midlands", 0.07),
    ("Manchester", 53.4808, -2.2426, 11, "greater-manchester", 0.08),
    ("Leeds", 53.8008, -1.5491, 8, "west-yorkshire", 0.07),
    ("Liverpool", 53.4084, -2.9916, 7, "merseyside", 0.05),
    ("Sheffield", 53.3811, -1.4701, 6, "south-yorkshire", 0.05),
    ("Bristol", 51.4545, -2.5879, 5, "avon-and-somerset", 0.04),
    ("Newcastle", 54.9783, -1.6178, 5, "northumbria", 0.05),
    ("Nottingham", 52.9548, -1.1581, 4, "nottinghamshire", 0.04),
    ("Leicester", 52.6369, -1.1398, 4, "leicestershire", 0.04),
    ("Cardiff", 51.4816, -3.1791, 4, "south-wales", 0.04),
    ("Southampton", 50.9097, -1.4044, 3, "hampshire", 0.04),
    ("Brighton", 50.8225, -0.1372, 3, "sussex", 0.03),
    ("Reading", 51.4543, -0.9781, 3, "thames-valley", 0.05),
    ("Norwich", 52.6309, 1.2974, 2, "norfolk", 0.03),
    ("Plymouth", 50.3755, -4.1427, 2, "devon-and-cornwall", 0.03),
    ("Hull", 53.7676, -0.3274, 2, "humberside", 0.03),
    ("Stoke", 53.0027, -2.1794, 2, "staffordshire", 0.04),
    ("Derby", 52.9225, -1.4746, 2, "derbyshire", 0.03),
    ("Preston", 53.7632, -2.7031, 3, "lancashire", 0.06),
    ("Chelmsford", 51.7356, 0.4685, 3, "essex", 0.08),
    ("Maidstone", 51.2704, 0.5227, 3, "kent", 0.08),
    ("Guildford", 51.2362, -0.5704, 2, "surrey", 0.06),
    ("Luton", 51.8787, -0.42, 2, "bedfordshire", 0.04),
    ("Cambridge", 52.2053, 0.1218, 2, "cambridgeshire", 0.05),
    ("Chester", 53.1934, -2.8931, 2, "cheshire", 0.05),
    ("Middlesbrough", 54.5742, -1.2350, 2, "cleveland", 0.03),
    ("Carlisle", 54.8925, -2.9329, 1, "cumbria", 0.06),
    ("Bournemouth", 50.7192, -1.8808, 2, "dorset", 0.04),
    ("Durham", 54.7753, -1.5849, 1, "durham", 0.05),
    ("Swansea", 51.6214, -3.9436, 2, "dyfed-powys", 0.08),
    ("Gloucester", 51.8642, -2.2382, 1, "gloucestershire", 0.05),
    ("Newport", 51.5842, -2.9977, 1, "gwent", 0.04),
    ("St Albans", 51.7520, -0.3360, 2, "hertfordshire", 0.06),
    ("Lincoln", 53.2307, -0.5406, 1, "lincolnshire", 0.07),
    ("Wrexham", 53.0430, -2.9925, 1, "north-wales", 0.07),
    ("York", 53.9600, -1.0873, 1, "north-yorkshire", 0.07),
    ("Northampton", 52.2405, -0.9027, 1, "northamptonshire", 0.04),
    ("Ipswich", 52.0567, 1.1482, 1, "suffolk", 0.05),
    ("Warwick", 52.2823, -1.5849, 1, "warwickshire", 0.05),
    ("Worcester", 52.1936, -2.2216, 2, "west-mercia", 0.08),
    ("Swindon", 51.5558, -1.7797, 1, "wiltshire", 0.05),
]
STREETS = [
    "High Street",
    "Station Road",
    "Church Street",
    "Market Place",
    "Park Road",
    "Victoria Road",
    "London Road",
    "Green Lane",
    "Manor Road",
    "Church Lane",
    "Queen Street",
    "Mill Lane",
    "New Road",
    "King Street",
    "School Lane",
    "The Crescent",
    "Shopping Area",
    "Supermarket",
    "Parking Area",
    "Petrol Station",
    "Nightclub",
    "Sports/recreation Area",
    "Bus/coach Station",
]
# Category weights close to the national mix.
CATEGORY_WEIGHTS = {
    "Anti-social behaviour": 14,
    "Violence and sexual offences": 34,
    "Other theft": 7,
    "Criminal damage and arson": 9,
    "Shoplifting": 7,
    "Vehicle crime": 6,
    "Burglary": 4,
    "Public order": 9,
    "Drugs": 3,
    "Other crime": 2,
    "Theft from the person": 2,
    "Bicycle theft": 1,
    "Robbery": 1,
    "Possession of weapons": 1,
}
OUTCOMES = [
    "Investigation complete; no suspect identified",
    "Unable to prosecute suspect",
    "Under investigation",
    "Status update unavailable",
    "Awaiting court outcome",
    "Offender given a caution",
    "Local resolution",
    "Court result unavailable",
    "Further action is not in the public interest",
    "Formal action is not in the public interest",
]


def _snap_points(rng: random.Random, per_city: int) -> list[tuple[str, float, float, str, list]]:
    """Anonymous map points around each city (and a rural scatter), with streets and LSOAs."""
    pools = []
    for name, lat, lng, _w, force, spread in CITIES:
        points = []
        for i in range(per_city):
            # tight core + wider suburbs
            s = spread * (0.3 if rng.random() < 0.2 else 1.0)
            plat = round(rng.gauss(lat, s * 0.6), 6)
            plng = round(rng.gauss(lng, s), 6)
            street = f"On or near {rng.choice(STREETS)}"
            lsoa = f"{name} {i % 300:03d}{'ABCDE'[i % 5]}"
            code = f"E01{abs(hash((name, i % 300))) % 1000000:06d}"
            points.append((plat, plng, street, lsoa, code))
        pools.append((name, lat, lng, force, points))
    return pools


def generate(out: Path, months: int, rows: int, seed: int, first: dt.date) -> list[Path]:
    rng = random.Random(seed)
    pools = _snap_points(rng, per_city=4000)
    weights = [c[3] for c in CITIES]
    cat_names = list(CATEGORY_WEIGHTS)
    cat_weights = [CATEGORY_WEIGHTS[c] for c in cat_names]
    written: list[Path] = []
    for m in range(months):
        month = add_months(first, m)
        ms = month_str(month)
        folder = out / ms
        folder.mkdir(parents=True, exist_ok=True)
        city_of_row = rng.choices(range(len(CITIES)), weights=weights, k=rows)
        cats = rng.choices(cat_names, weights=cat_weights, k=rows)
        by_force: dict[str, list[int]] = {}
        for i, c in enumerate(city_of_row):
            by_force.setdefault(CITIES[c][4], []).append(i)
        for force, indexes in by_force.items():
            name = FORCES[force]
            street_path = folder / f"{ms}-{force}-street.csv"
            outcome_path = folder / f"{ms}-{force}-outcomes.csv"
            with (
                open(street_path, "w", newline="") as sf,
                open(outcome_path, "w", newline="") as of,
            ):
                sw, ow = csv.writer(sf), csv.writer(of)
                sw.writerow(LAYOUTS["street"])
                ow.writerow(LAYOUTS["outcomes"])
                for i in indexes:
                    pool = pools[city_of_row[i]][4]
                    category = cats[i]
                    if rng.random() < 0.05:
                        lat_s = lng_s = lsoa = code = ""
                        street = "No location"
                    else:
                        plat, plng, street, lsoa, code = pool[int(rng.random() ** 2 * len(pool))]
                        lat_s, lng_s = f"{plat:.6f}", f"{plng:.6f}"
                    if category == "Anti-social behaviour":
                        cid, outcome = "", ""
                    else:
                        cid = hashlib.sha256(f"{seed}-{ms}-{i}".encode()).hexdigest()
                        outcome = OUTCOMES[i % len(OUTCOMES)]
                    sw.writerow(
                        [
                            cid,
                            ms,
                            name,
                            name,
                            lng_s,
                            lat_s,
                            street,
                            code,
                            lsoa,
                            category,
                            outcome,
                            "",
                        ]
                    )
                    if cid and i % 3 == 0:
                        ow.writerow(
                            [
                                cid,
                                ms,
                                name,
                                name,
                                lng_s,
                                lat_s,
                                street,
                                code,
                                lsoa,
                                OUTCOMES[(i + 1) % len(OUTCOMES)],
                            ]
                        )
            written += [street_path, outcome_path]
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--rows", type=int, default=500_000, help="street crimes per month")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--first", default="2024-01")
    args = parser.parse_args()
    first = dt.date(int(args.first[:4]), int(args.first[5:7]), 1)
    files = generate(args.out, args.months, args.rows, args.seed, first)
    print(f"{len(files)} files in {args.out}")


if __name__ == "__main__":
    main()

assert set(CATEGORY_WEIGHTS) == set(CATEGORIES)
