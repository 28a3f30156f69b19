"""Name pools: people, companies, industries and countries (invented names, no real firms)."""

from __future__ import annotations

import numpy as np

FIRST_NAMES = (
    "Anna", "Lukas", "Sophie", "Jonas", "Emma", "Felix", "Clara", "Noah", "Lea", "Elias", "Marie",
    "Paul", "Julia", "Leon", "Camille", "Hugo", "Chloe", "Louis", "Ines", "Lucas", "Manon", "Arthur",
    "Olivia", "James", "Amelia", "Oliver", "Isla", "George", "Freya", "Harry", "Sven", "Ingrid",
    "Lars", "Astrid", "Mikkel", "Freja", "Daan", "Sanne", "Bram", "Lotte", "Marco", "Giulia",
    "Luca", "Sara", "Pablo", "Lucia", "Diego", "Carmen", "Joao", "Beatriz", "Ethan", "Grace",
    "Mason", "Chloe", "Aisha", "Omar", "Priya", "Ravi", "Mei", "Kenji", "Nora", "Elin", "Tobias",
    "Helena", "Matteo", "Alice", "Victor", "Zoe", "Adam", "Eva",
)
LAST_NAMES = (
    "Muller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Martin",
    "Bernard", "Dubois", "Durand", "Lefebvre", "Moreau", "Laurent", "Simon", "Smith", "Jones",
    "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas", "Johansson", "Andersson", "Nielsen",
    "Hansen", "Jensen", "De Vries", "Jansen", "Visser", "Bakker", "Rossi", "Russo", "Ferrari",
    "Bianchi", "Garcia", "Martinez", "Lopez", "Sanchez", "Silva", "Santos", "Ferreira", "O'Brien",
    "Murphy", "Kelly", "Walsh", "Novak", "Kowalski", "Horvat", "Lindqvist", "Berg", "Keller",
    "Huber", "Bauer", "Koch", "Richter", "Klein", "Wolf", "Petit", "Roux", "Fontaine", "Clarke",
    "Hughes", "Patel", "Khan", "Chen", "Nakamura", "Okafor",
)
SYLLABLES_A = (
    "Al", "Bel", "Cor", "Dan", "El", "Fal", "Gor", "Hal", "Ist", "Jor", "Kel", "Lum", "Mar", "Nor",
    "Ost", "Pra", "Quin", "Ros", "Sol", "Tor", "Ul", "Ver", "Wen", "Xan", "Yor", "Zel", "Bra",
    "Cla", "Dre", "Fen", "Gla", "Hel", "Kra", "Lin", "Mon", "Nev", "Pol", "Sten", "Tal", "Val",
)
SYLLABLES_B = (
    "ara", "bex", "cor", "dium", "eon", "fix", "gard", "hem", "ico", "jet", "kor", "lux", "mont",
    "nova", "ora", "pex", "quo", "ris", "sys", "tek", "una", "vio", "wick", "xis", "yon", "zar",
    "dal", "fin", "gen", "lith", "mar", "nex", "path", "rion", "stra", "tane", "vant", "well",
)
WORDS = ("Logistics", "Foods", "Medical", "Energy", "Industries", "Retail", "Bank", "Insurance",
         "Labs", "Robotics", "Textiles", "Pharma", "Systems", "Mobility", "Media", "Holding")
INDUSTRIES = ("Manufacturing", "Retail", "Financial Services", "Healthcare", "Technology",
              "Logistics", "Energy", "Media", "Education", "Professional Services", "Hospitality",
              "Telecommunications")
REVENUE_PER_EMPLOYEE_EUR = (180000, 220000, 400000, 150000, 250000, 160000, 500000, 200000, 90000,
                            140000, 80000, 300000)

COUNTRY_INFO: dict[str, tuple[str, str, tuple[str, ...], tuple[str, ...]]] = {
    # code: (name, top-level domain, legal suffixes, cities)
    "DE": ("Germany", "de", ("GmbH", "AG", "GmbH & Co. KG"), ("Berlin", "Munich", "Hamburg", "Cologne")),
    "AT": ("Austria", "at", ("GmbH", "AG"), ("Vienna", "Graz", "Linz")),
    "CH": ("Switzerland", "ch", ("AG", "SA", "GmbH"), ("Zurich", "Geneva", "Basel")),
    "FR": ("France", "fr", ("SAS", "SA", "SARL"), ("Paris", "Lyon", "Lille", "Toulouse")),
    "BE": ("Belgium", "be", ("NV", "SA", "BV"), ("Brussels", "Antwerp", "Ghent")),
    "NL": ("Netherlands", "nl", ("BV", "NV"), ("Amsterdam", "Rotterdam", "Utrecht")),
    "GB": ("United Kingdom", "co.uk", ("Ltd", "PLC", "Limited"), ("London", "Manchester", "Leeds", "Bristol")),
    "IE": ("Ireland", "ie", ("Ltd", "DAC"), ("Dublin", "Cork", "Galway")),
    "US": ("United States", "com", ("Inc.", "LLC", "Corp."), ("New York", "Boston", "Chicago", "Austin")),
    "SE": ("Sweden", "se", ("AB",), ("Stockholm", "Gothenburg", "Malmo")),
    "DK": ("Denmark", "dk", ("A/S", "ApS"), ("Copenhagen", "Aarhus")),
    "NO": ("Norway", "no", ("AS", "ASA"), ("Oslo", "Bergen")),
    "FI": ("Finland", "fi", ("Oy", "Oyj"), ("Helsinki", "Espoo", "Tampere")),
    "ES": ("Spain", "es", ("S.L.", "S.A."), ("Madrid", "Barcelona", "Valencia")),
    "IT": ("Italy", "it", ("S.r.l.", "S.p.A."), ("Milan", "Rome", "Turin")),
    "PT": ("Portugal", "pt", ("Lda", "S.A."), ("Lisbon", "Porto")),
}
COUNTRY_CURRENCY = {"GB": 2, "US": 1}  # every other country trades in EUR
TITLES = ("Head of Operations", "CFO", "IT Director", "COO", "VP Finance", "Procurement Manager",
          "Head of Sales", "CTO", "Operations Manager", "Finance Manager", "Head of Data")


def company_names(rng: np.random.Generator, n: int) -> list[str]:
    """`n` distinct invented company base names (e.g. "Kelvant", "Norpex Logistics")."""
    names: list[str] = []
    seen: set[str] = set()
    a = rng.integers(0, len(SYLLABLES_A), size=n * 3)
    b = rng.integers(0, len(SYLLABLES_B), size=n * 3)
    w = rng.integers(0, len(WORDS) * 3, size=n * 3)
    i = 0
    counter = 0
    while len(names) < n:
        if i < len(a):
            base = SYLLABLES_A[a[i]] + SYLLABLES_B[b[i]]
            if w[i] < len(WORDS):
                base = f"{base} {WORDS[w[i]]}"
            i += 1
        else:  # pools exhausted (very large worlds): number the names
            counter += 1
            base = f"{SYLLABLES_A[counter % len(SYLLABLES_A)]}{SYLLABLES_B[(counter // 40) % 38]} {counter}"
        if base not in seen:
            seen.add(base)
            names.append(base)
    return names


def slug(text: str) -> str:
    """Lower-case ASCII letters and digits of a name, for domains and e-mail local parts."""
    return "".join(ch for ch in text.lower() if ch.isalnum())
