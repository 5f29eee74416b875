"""Names of people: a fixed list of invented names, and a syllable generator for one-off names."""

FIRST_NAMES = (
    "Marta", "Idris", "Lena", "Tobias", "Noor", "Casimir", "Yara", "Anselm", "Birgit", "Dario",
    "Esme", "Femi", "Greta", "Hollis", "Ines", "Jurek", "Kalani", "Lucan", "Mireille", "Nils",
    "Odile", "Piet", "Quinn", "Rosalind", "Soren", "Talia", "Ulla", "Vito", "Wren", "Xavi",
    "Yusuf", "Zelda", "Augustin", "Brisa", "Cormac", "Delphine")
SURNAMES = (
    "Velkov", "Callowmere", "Ostrander", "Quillane", "Marsk", "Tessaro", "Halvardsen",
    "Brightwater", "Oyelaran", "Pellegrane", "Dunmore", "Achterberg", "Salvadi", "Kovrin",
    "Lindqvast", "Moravec", "Ferreira-Holt", "Ashgrove", "Nakamori", "Rudbeck", "Valcourt",
    "Wexley", "Zamfirescu", "Okafor-Lyle", "Penhallow", "Strand-Ibsen", "Toller", "Vasquel",
    "Winterbourne", "Ysander", "Carbery", "Deverill")

ONSETS = ("b", "br", "c", "d", "dr", "f", "g", "gr", "h", "j", "k", "l", "m", "n", "p", "r", "s",
          "st", "t", "th", "v", "w", "z", "kr", "sh", "ch", "vr", "tr")
VOWELS = ("a", "e", "i", "o", "u", "ae", "ei", "ou", "y", "ia")
CODAS = ("", "", "n", "r", "l", "s", "th", "ck", "nd", "rk", "m", "x", "v", "sk")


def invented_word(rng, syllables=(2, 3)):
    """A pronounceable made-up word ("Vorlenth"): almost always new, so <unk> for a model."""
    n = rng.choice(syllables)
    return "".join(rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS)
                   for _ in range(n)).capitalize()


def person(rng, invented_share=0.5):
    """A first name and surname, each from the fixed lists or made up."""
    first = rng.choice(FIRST_NAMES) if rng.random() > invented_share else invented_word(rng, (2,))
    last = rng.choice(SURNAMES) if rng.random() > invented_share else invented_word(rng)
    return f"{first} {last}"
