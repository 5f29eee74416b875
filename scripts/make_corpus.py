"""Generate the bundled sentiment-rnn corpus of short, original movie reviews.

Every review is assembled from the phrase banks and sentence templates below;
no text comes from an existing dataset. Each template belongs to one label
(or is neutral filler), so labels are correct by construction. Many core
sentences are short affirmative frames ("This film is good.", "The acting was
really bad.", "What a fun movie!"), so plain evaluative words keep their
natural polarity. A bit under half of the reviews are built around a negation
or contrast template ("not bad at all", "never convincing", "Although the
first act drags, the finale is superb."), in equal share for both labels, so
the negated frames flip the meaning of the same words.

The generator is deterministic: the same --seed and --n-per-label always
write the same bytes. Standard library only.

    python scripts/make_corpus.py                 # rewrites data/*.csv
    python scripts/make_corpus.py --out /tmp/x    # somewhere else
"""
import argparse
import csv
import random
import re
from pathlib import Path

LABELS = ("negative", "positive")
DEFAULT_SEED = 20240611
DEFAULT_N_PER_LABEL = 1500
SPLITS = (("train", 0.8), ("dev", 0.1), ("test", 0.1))
TURN_SHARE = 0.33      # reviews built around a negation/contrast sentence
EXTRA_TURN = 0.1       # chance that any other core sentence is one as well
AFFIRM_SHARE = 0.4     # chance that a core sentence is a short affirmative frame
# Held out for the product's own checks: no review may contain these
# (compared lowercased, punctuation dropped, also inside longer text).
EXCLUDED = ("this movie is not good", "this movie is not bad at all",
            "this movie is good", "this movie is bad", "this movie is not bad",
            "this movie is great")
# Words whose plain (un-negated) use the statistics report per label.
PLAIN_WORDS = ("good", "bad", "great", "awful")
NEGATORS = ("not", "never", "hardly", "no")   # and any word ending in n't
NEGATION_WINDOW = 3

# --------------------------------------------------------------- phrase banks
FILMS = ("movie", "movie", "film", "film", "picture", "feature")
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
GENRE_LINES = (  # "name: traits that praise it / traits that pan it"
    "horror film: scary creepy frightening unsettling / silly tame toothless",
    "comedy: funny hilarious witty / unfunny forced stale",
    "western: gritty rugged sweeping / plodding stale lifeless",
    "documentary: informative eye-opening illuminating / shallow one-sided dry",
    "animated feature: imaginative charming inventive / garish noisy shrill",
    "musical: tuneful lively joyous / tuneless shrill stagey",
    "thriller: tense suspenseful gripping / predictable limp slack",
    "romance: romantic tender swoony / sappy syrupy cloying",
    "sci-fi epic: imaginative mind-bending visionary / muddled derivative silly",
    "war drama: harrowing intense powerful / bombastic hollow heavy-handed",
    "heist movie: slick clever twisty / sloppy predictable slack",
    "biopic: revealing insightful intimate / dutiful shallow stiff",
    "film noir: moody stylish atmospheric / murky stilted mannered",
    "courtroom drama: gripping sharp tense / stagey talky preachy",
    "sports drama: rousing inspiring stirring / formulaic corny predictable",
    "road movie: free-spirited funny wistful / aimless meandering shapeless",
    "coming-of-age story: honest tender wise / mawkish shallow cloying",
    "period drama: elegant lavish graceful / stuffy starchy inert",
    "fantasy adventure: magical enchanting thrilling / noisy muddled silly",
    "disaster movie: thrilling spectacular intense / ridiculous noisy bloated",
    "martial arts film: kinetic exhilarating thrilling / choppy repetitive sloppy",
    "spy thriller: twisty slick taut / convoluted confusing slack",
    "family film: sweet charming warm / saccharine shrill cloying",
    "mockumentary: funny sly witty / smug thin unfunny",
    "psychological thriller: unnerving tense chilling / silly muddled predictable",
    "monster movie: thrilling scary fun / silly cheap toothless",
    "space opera: epic sweeping rousing / bloated confusing noisy",
    "romantic comedy: charming funny sweet / sappy unfunny forced",
    "slasher: scary nasty suspenseful / tame silly cheap",
    "political thriller: sharp urgent tense / preachy talky muddled",
    "crime saga: gripping brutal sprawling / bloated aimless hollow",
    "survival story: harrowing intense gripping / repetitive dull limp",
    "zombie comedy: funny gory clever / unfunny tired stale",
    "ghost story: eerie haunting chilling / tame silly sleepy",
    "detective story: clever twisty absorbing / convoluted predictable plodding",
    "satire: biting sharp witty / toothless smug heavy-handed",
    "melodrama: moving lush heartfelt / overwrought mawkish shrill",
    "dance film: dazzling joyful electric / clumsy flat corny",
    "concert film: electric joyous vibrant / flat static dull",
    "nature documentary: breathtaking awe-inspiring gorgeous / dry repetitive dull",
    "historical epic: grand stirring sweeping / bloated stuffy ponderous",
    "superhero movie: fun rousing thrilling / noisy generic bloated",
    "time-travel story: clever mind-bending twisty / confusing muddled convoluted",
    "buddy comedy: funny warm breezy / unfunny lazy forced",
    "prison drama: powerful tense harrowing / sluggish plodding heavy-handed",
    "mystery: intriguing clever absorbing / predictable muddled limp",
    "submarine thriller: claustrophobic tense gripping / slack talky predictable",
    "boxing drama: punchy rousing raw / formulaic corny predictable",
    "vampire film: seductive eerie stylish / silly tame tired",
    "chamber piece: intimate intense absorbing / stagey airless talky",
    "teen comedy: funny sweet sharp / crude unfunny lazy")
GENRES = tuple((name, tuple(good.split()), tuple(bad.split()))
               for name, rest in (line.split(": ") for line in GENRE_LINES)
               for good, bad in [rest.split(" / ")])
SINGULAR_ASPECTS = (
    "acting", "script", "dialogue", "plot", "pacing", "score", "soundtrack", "cinematography",
    "editing", "ending", "direction", "lead performance", "supporting cast", "camera work",
    "production design", "final act", "opening scene", "story", "villain", "humor",
    "fight choreography", "sound design", "lighting", "screenplay", "chemistry between the leads",
    "voice acting", "animation", "narration", "creature design", "climax", "world building",
    "romance", "middle section", "storytelling", "casting", "tone", "central mystery")
PLURAL_ASPECTS = (
    "special effects", "characters", "costumes", "set pieces", "jokes", "songs", "action scenes",
    "visuals", "performances", "twists", "sets", "stunts", "locations", "scares")
ASPECTS = SINGULAR_ASPECTS + PLURAL_ASPECTS
POS = (  # praise for a whole film
    "good", "good", "great", "great", "excellent", "wonderful", "superb", "brilliant", "terrific",
    "fantastic", "marvelous", "delightful", "charming", "gripping", "engaging", "moving",
    "touching", "powerful", "clever", "witty", "thrilling", "exciting", "beautiful", "stunning",
    "memorable", "entertaining", "enjoyable", "impressive", "remarkable", "compelling",
    "absorbing", "riveting", "inventive", "original", "fresh", "smart", "heartfelt", "warm",
    "poignant", "haunting", "uplifting", "satisfying", "polished", "masterful", "elegant",
    "lovely", "breathtaking", "exhilarating", "affecting", "thoughtful", "confident", "tender",
    "joyful", "spellbinding", "captivating", "enchanting", "rewarding", "fun", "funny",
    "hilarious", "sublime", "dazzling", "electrifying", "wise", "generous", "playful", "stirring",
    "assured", "vibrant", "irresistible", "intelligent", "graceful", "profound", "exquisite",
    "sparkling", "nimble", "bold", "well made")
NEG = (  # condemnation of a whole film
    "bad", "bad", "awful", "terrible", "dreadful", "boring", "dull", "tedious", "bland",
    "lifeless", "clumsy", "sloppy", "messy", "predictable", "forgettable", "tiresome", "pointless",
    "lazy", "flat", "weak", "shallow", "pretentious", "confusing", "incoherent", "cheap", "ugly",
    "overlong", "bloated", "sluggish", "plodding", "painful", "mediocre", "disappointing",
    "unwatchable", "dreary", "hollow", "generic", "derivative", "stale", "tired", "limp",
    "muddled", "awkward", "amateurish", "grating", "annoying", "joyless", "lackluster",
    "uninspired", "hackneyed", "insufferable", "shoddy", "dismal", "flimsy", "tepid", "labored",
    "listless", "contrived", "monotonous", "soulless", "lame", "clunky", "turgid", "vapid",
    "numbing", "smug", "charmless", "witless", "trite", "exhausting", "humorless", "misjudged")
ASPECT_POS = (
    "superb", "excellent", "terrific", "wonderful", "first-rate", "top-notch", "strong", "lovely",
    "sharp", "inventive", "polished", "fantastic", "great", "good", "impressive", "stellar",
    "brilliant", "outstanding", "exceptional", "beautiful", "gorgeous", "clever", "spot-on",
    "flawless", "striking", "rich", "assured", "memorable", "marvelous", "tight", "crisp", "lush")
ASPECT_NEG = (
    "awful", "terrible", "weak", "clumsy", "sloppy", "flat", "lazy", "cheap", "wooden", "stiff",
    "muddled", "messy", "dull", "bland", "forgettable", "confusing", "grating", "amateurish",
    "shoddy", "lifeless", "clunky", "bad", "poor", "tired", "dreadful", "distracting", "thin",
    "overdone", "jarring", "embarrassing", "lousy", "careless", "choppy", "hollow")
FILM_NPOS = (  # positive words that negative reviews negate
    "good", "good", "good", "great", "entertaining", "engaging", "interesting", "exciting",
    "gripping", "clever", "original", "memorable", "moving", "enjoyable", "compelling",
    "watchable", "worth watching", "well made", "satisfying", "involving", "charming", "fun",
    "convincing", "coherent", "believable", "worth the ticket", "worth your time")
FILM_NNEG = (  # negative words that positive reviews negate
    "bad", "bad", "bad", "boring", "dull", "tedious", "predictable", "forgettable",
    "disappointing", "confusing", "pretentious", "slow", "clumsy", "shallow", "cheesy", "overlong",
    "sloppy", "generic", "stale", "bland", "tiresome", "sluggish", "derivative", "lifeless",
    "a waste of time", "a letdown", "a chore")
ASPECT_NPOS = (
    "good", "good", "great", "convincing", "effective", "impressive", "memorable", "interesting",
    "strong", "special", "polished", "engaging", "believable")
ASPECT_NNEG = (
    "bad", "bad", "weak", "clumsy", "sloppy", "distracting", "forgettable", "cheap", "awkward",
    "dull", "confusing", "stiff", "overdone", "flat", "predictable", "lazy")
AFF_POS = (  # plain praise in short affirmative frames (same words the negated frames use)
    "good", "good", "good", "good", "great", "great", "great", "fine", "nice", "excellent",
    "excellent", "enjoyable", "fun", "entertaining", "engaging", "interesting", "exciting",
    "gripping", "clever", "memorable", "moving", "compelling", "charming", "satisfying",
    "wonderful")
AFF_NEG = (  # plain condemnation in short affirmative frames
    "bad", "bad", "bad", "bad", "poor", "terrible", "terrible", "awful", "awful", "weak", "boring",
    "boring", "dull", "tedious", "predictable", "forgettable", "disappointing", "confusing",
    "sloppy", "bland", "clumsy", "generic", "lifeless", "shallow", "mediocre")
AFF_ASPECT_POS = (
    "good", "good", "good", "great", "great", "fine", "nice", "excellent", "strong", "convincing",
    "effective", "impressive", "memorable", "engaging", "believable", "polished")
AFF_ASPECT_NEG = (
    "bad", "bad", "bad", "poor", "terrible", "awful", "weak", "weak", "clumsy", "sloppy",
    "distracting", "forgettable", "cheap", "awkward", "dull", "flat", "stiff", "boring")
AMP = ("really", "very", "truly", "pretty")  # intensifiers used by both labels
EXTREME = ("great", "excellent", "wonderful", "awful", "terrible")  # no "very great"


def amplified(bank):
    """Intensifier + adjective pairs, leaving out the ones that read oddly."""
    return tuple(f"{amp} {word}" for word in bank for amp in AMP
                 if not (word in EXTREME and amp in ("very", "pretty")))


NEVER_POS = (
    "convincing", "engaging", "exciting", "moving", "interesting", "believable", "surprising",
    "involving", "fresh", "original", "clever", "memorable", "gripping", "charming", "touching")
NEVER_NEG = (
    "boring", "dull", "tedious", "predictable", "slow", "confusing", "cheesy", "sluggish",
    "tiresome", "pretentious", "forced", "stale", "flat", "bland", "rushed", "clumsy",
    "heavy-handed", "sappy", "fake", "generic")
MILD_POS = (
    "charming", "decent", "fine", "lovely", "nice", "pretty", "solid", "competent", "handsome",
    "striking", "polished", "strong", "good", "great", "impressive", "likable", "stylish")
MILD_NEG = (
    "uneven", "clunky", "slow", "rough", "patchy", "shaky", "thin", "messy", "awkward", "overlong",
    "predictable", "cheesy", "clumsy", "flat", "stiff", "corny", "familiar", "sluggish", "muddled",
    "silly", "weak", "forgettable", "bad")
ACTOR_POS = (
    "superb", "wonderful", "magnetic", "terrific", "heartbreaking", "hilarious", "fearless",
    "luminous", "riveting", "excellent", "perfectly cast", "quietly brilliant", "outstanding",
    "captivating", "electric", "funny and touching", "a revelation")
ACTOR_NEG = (
    "wooden", "stiff", "miscast", "lost", "painfully awkward", "hopelessly bland", "embarrassing",
    "flat", "unconvincing", "grating", "totally wasted", "oddly lifeless", "dull", "shrill")
IP = (
    "really", "truly", "genuinely", "remarkably", "thoroughly", "wonderfully", "incredibly",
    "consistently", "utterly", "surprisingly", "deeply", "endlessly", "simply", "quite")
IN = (
    "painfully", "utterly", "hopelessly", "deeply", "thoroughly", "incredibly", "remarkably",
    "relentlessly", "astonishingly", "consistently", "truly", "just", "simply", "quite")
POS_NOUN = (
    "masterpiece", "classic", "triumph", "crowd-pleaser", "gem", "knockout", "delight", "treat",
    "marvel", "joy")
NEG_NOUN = (
    "disaster", "mess", "bore", "letdown", "slog", "chore", "misfire", "dud", "failure",
    "cash grab", "snooze", "trainwreck")
CMP = (
    "original", "polished", "subtle", "sophisticated", "ambitious", "realistic", "profound",
    "stylish")
PROMISING = (
    "promising", "lively", "strong", "striking", "clever", "confident", "gripping", "witty")
INTRIGUING = ("intriguing", "clever", "promising", "fresh", "bold", "fun", "irresistible")
PARTS = (
    "start", "opening", "first act", "first half hour", "middle stretch", "second act", "prologue")
ENDINGS = ("finale", "ending", "climax", "final act", "last reel", "third act")
WINS = (
    "it won me over", "it won me over completely", "I ended up loving it", "it ends up soaring",
    "it finds its footing and never lets go", "it builds to a terrific finale",
    "it turns into something special")
FALLS = (
    "it falls apart", "it quickly falls apart", "it runs out of steam",
    "it collapses in the final act", "it never recovers", "it loses its way", "it fizzles out",
    "it goes nowhere")
WON_OVER = (
    "completely won over", "hooked", "in tears", "cheering", "grinning from ear to ear",
    "totally invested")
LOST = (
    "bored stiff", "checking my phone", "half asleep", "ready to leave", "fed up",
    "counting the minutes")
NUM_POS = ("eight", "nine", "ten")
NUM_NEG = ("one", "two", "three")
WHO = (
    "my sister", "my brother", "a friend", "my dad", "my mum", "my roommate", "my partner",
    "a coworker", "my neighbor", "my grandmother", "my best friend", "my wife", "my husband",
    "my kids")
TIMES = (
    "last night", "on a rainy Sunday", "over the weekend", "on a long flight",
    "at a late screening", "this afternoon", "on opening night", "on a whim",
    "on a school night", "at a drive-in", "on a lazy Saturday", "during a snowstorm")
CHARS = (
    "a retired lighthouse keeper", "a young violinist", "a disgraced chef", "a small-town sheriff",
    "a widowed farmer", "a teenage hacker", "an aging boxer", "an exiled princess",
    "a stubborn botanist", "a nervous substitute teacher", "a washed-up rock drummer",
    "a lonely astronaut", "a night-shift nurse", "a traveling puppeteer", "a war photographer",
    "a rookie detective", "a grieving architect", "a runaway robot", "a chess prodigy",
    "a cynical radio host", "a shy taxidermist", "an ambitious senator", "a charming con artist",
    "a weary ghost hunter", "a deep-sea diver", "an unlucky bank clerk", "a village blacksmith",
    "a clumsy apprentice wizard", "a former ballet dancer", "a fading movie star",
    "a wildlife ranger", "a circus acrobat", "a museum night guard", "a jazz pianist",
    "a veteran storm chaser", "a reluctant bride", "an eccentric inventor", "a homesick soldier",
    "a stage magician", "a junior park ranger", "a bored heiress", "a mild-mannered accountant",
    "an orphaned pickpocket", "a stranded pilot", "a hot-headed firefighter",
    "a gentle giant of a wrestler", "a forgetful librarian", "a tireless midwife",
    "a pacifist monk", "an overworked cartoonist")
PLOTS = (
    "tries to pull off one last job", "returns home after twenty years away",
    "finds a strange map hidden in a library book", "must cross a frozen desert before winter",
    "inherits a crumbling hotel", "gets trapped in a time loop",
    "enters a national baking contest", "investigates a string of odd disappearances",
    "falls for a rival at the county fair", "tries to save a failing record store",
    "hunts a creature living under the ice", "joins a traveling circus",
    "is hired to guard a priceless painting", "trains a stubborn horse for the big race",
    "smuggles letters across a closed border", "runs for mayor on a dare",
    "befriends a talking crow", "leads a mutiny aboard a cargo ship",
    "searches for a missing brother", "plans a daring train robbery",
    "builds a rocket in the backyard", "takes on a corrupt mining company",
    "restores an old cinema", "survives a night in a haunted manor",
    "coaches a hopeless football team", "defends a client nobody believes",
    "chases a legendary storm", "forms a band with three strangers",
    "uncovers a plot inside the royal court", "hides a fugitive in the attic",
    "sets out to climb a forbidden mountain", "swaps lives with an identical stranger",
    "receives letters from the future", "opens a noodle shop against all odds",
    "steals back a family heirloom", "tracks a wolf pack across the tundra",
    "mends a feud between two orchards", "teaches a parrot to testify in court",
    "breaks a decades-old curse", "sails around the world in a leaky dinghy",
    "counterfeits paintings for a gangster")
SETTINGS = (
    "in a fishing village", "on a space station orbiting Jupiter", "in a snowbound mountain town",
    "in a sleepy seaside resort", "during a long heat wave", "on a remote northern island",
    "in a neon-lit future city", "in the frontier town of Copper Bend", "in a tiny bakery",
    "aboard an ocean liner", "in a crowded tenement", "in a border town",
    "inside a sprawling department store", "in a rain-soaked port city", "on a cattle ranch",
    "in a medieval monastery", "deep in the rainforest", "on the moon", "in a boarding school",
    "during the last days of a war", "in a smoky jazz club", "along a desert highway",
    "in a floating market", "beneath a volcano", "in a suburban cul-de-sac",
    "inside a glacier research camp", "at a crumbling roadside motel", "in an underground casino",
    "on a windswept lighthouse rock", "in a vineyard during harvest", "in a stalled elevator")
PREFIXES = (
    "Honestly, ", "Frankly, ", "Overall, ", "In short, ", "All in all, ", "Simply put, ",
    "Seriously, ", "To be honest, ", "Bottom line: ")
LABEL_PREFIXES = {"positive": ("Wow, ", "Happily, ", "Thankfully, "),
                  "negative": ("Sadly, ", "Unfortunately, ", "Alas, ")}

BANKS = {
    "film": FILMS, "pos": POS, "neg": NEG, "apos": ASPECT_POS, "aneg": ASPECT_NEG,
    "fnpos": FILM_NPOS, "fnneg": FILM_NNEG, "anpos": ASPECT_NPOS, "annneg": ASPECT_NNEG,
    "nevpos": NEVER_POS, "nevneg": NEVER_NEG, "mildpos": MILD_POS, "mildneg": MILD_NEG,
    "actpos": ACTOR_POS, "actneg": ACTOR_NEG, "afpos": AFF_POS, "afneg": AFF_NEG,
    "aapos": AFF_ASPECT_POS, "aaneg": AFF_ASPECT_NEG, "ampos": amplified(AFF_POS),
    "amneg": amplified(AFF_NEG), "amapos": amplified(AFF_ASPECT_POS),
    "amaneg": amplified(AFF_ASPECT_NEG), "ip": IP, "in": IN, "posnoun": POS_NOUN,
    "negnoun": NEG_NOUN, "cmp": CMP, "promising": PROMISING, "intriguing": INTRIGUING,
    "part": PARTS, "ending": ENDINGS, "win": WINS, "fall": FALLS, "wonover": WON_OVER, "lost": LOST,
    "numpos": NUM_POS, "numneg": NUM_NEG, "who": WHO, "time": TIMES, "char": CHARS, "plot": PLOTS,
    "setting": SETTINGS, "asp": ASPECTS,
    # adjectives that read well after "most" (no "most good", no "most well made")
    "mostpos": tuple(w for w in POS if len(w) >= 7 and " " not in w),
    "mostneg": tuple(w for w in NEG if len(w) >= 7 and " " not in w),
}
SHARED_KEYS = ("dir", "actor", "actor2", "genre", "film", "char")  # fixed within one review
VERBS = {"is": ("is", "are"), "isnt": ("isn't", "aren't"), "was": ("was", "were"),
         "wasnt": ("wasn't", "weren't"), "doesnt": ("doesn't", "don't"), "makes": ("makes", "make")}

# ------------------------------------------------------------------ templates
POS_PLAIN = (
    "This {film} is {ip} {pos}.", "What a {pos} {film}!", "I loved every minute of it.",
    "{dir} has made a {pos} and {pos2} {genre}.",
    "The {asp} {asp_is} {apos}, and the {asp2} {asp2_is} even better.",
    "{actor} is {actpos} as {char}.", "Easily the best {genre} I've seen this year.",
    "The {asp} alone {asp_is} worth the price of admission.",
    "A {ip} {pos} {genre}, and the {asp} {asp_is} {apos}.",
    "{dir} directs with real confidence, and it shows.",
    "I laughed, I cried, and I'd watch it again tomorrow.", "Loved it.", "Loved it!",
    "{pos}, {pos2} and {pos3}.", "The {asp} {asp_is} {ip} {apos}.",
    "The {asp} {asp_is} simply {apos}!", "My whole family enjoyed it, even my grumpy uncle.",
    "It's {pos} from start to finish.", "Every scene feels {pos}.",
    "{actor} and {actor2} have terrific chemistry.", "The {asp} {asp_was} a real highlight.",
    "I was grinning the whole way through.",
    "It's the kind of {genre} that stays with you for days.", "A {pos} piece of filmmaking.",
    "It earns every one of its big emotional moments.", "By the end I was completely hooked.",
    "As a {genre}, it is {ip} {trait}.", "It's a {trait}, {pos} {genre}.", "What a {posnoun}!",
    "A real {posnoun}.", "{dir} has delivered a {posnoun}.", "I was on the edge of my seat.",
    "The {asp} and the {asp2} are both {apos}.", "Wow, what a ride!",
    "{actor} gives the performance of a lifetime.", "I've already watched it twice.",
    "It looks {apos} and feels {pos}.", "The whole audience applauded at the end.",
    "Honestly one of the most {mostpos} films I've seen in years.",
    "Every single performance is {apos}.", "It is a {pos} reminder of why we go to the movies.",
    "The {asp} {asp_is} {apos} and the {asp2} {asp2_is} {apos2}.",
    "{dir} proves once again to be a {pos} storyteller.",
    "It's smart, {pos} and beautifully shot.", "The final scene left me speechless.",
    "Simply {pos}!", "This is {dir} at the top of their game.",
    "Great cast, {apos} {asp} and a {pos} story.", "I walked out of the cinema beaming.",
    "It's a really good {film}, and the {asp} {asp_is} {apos}.",
    "Good {asp}, good cast, good fun.", "A good, old-fashioned {genre} done right.")
NEG_PLAIN = (
    "This {film} is {in} {neg}.", "What a {neg} {film}.", "I hated almost every minute of it.",
    "{dir} has made a {neg} and {neg2} {genre}.",
    "The {asp} {asp_is} {aneg}, and the {asp2} {asp2_is} even worse.",
    "{actor} is {actneg} as {char}.", "Easily the worst {genre} I've seen this year.",
    "The {asp} alone {asp_is} enough to make you walk out.",
    "A {in} {neg} {genre}, and the {asp} {asp_is} {aneg}.", "{dir} directs as if half asleep.",
    "I sighed, I yawned, and I checked my phone a dozen times.", "Hated it.", "Hated it!",
    "{neg}, {neg2} and {neg3}.", "The {asp} {asp_is} {in} {aneg}.",
    "The {asp} {asp_is} simply {aneg}!", "My whole family was bored stiff.",
    "It's {neg} from start to finish.", "Every scene feels {neg}.",
    "{actor} and {actor2} have zero chemistry.", "The {asp} {asp_was} a real low point.",
    "I was checking my watch the whole way through.",
    "It's the kind of {genre} you forget before you reach the parking lot.",
    "A {neg} piece of filmmaking.", "It reaches for big emotional moments and fumbles every one.",
    "By the end I was just relieved it was over.", "As a {genre}, it is {in} {gbad}.",
    "It's a {gbad}, {neg} {genre}.", "What a {negnoun}.", "A real {negnoun}.",
    "{dir} has delivered a {negnoun}.", "I nearly fell asleep in my seat.",
    "The {asp} and the {asp2} are both {aneg}.", "Ugh, what a slog.",
    "{actor} gives the worst performance of their career.", "I regret watching it even once.",
    "It looks {aneg} and feels {neg}.", "Half the audience walked out before the end.",
    "Honestly one of the most {mostneg} films I've seen in years.",
    "Every single performance is {aneg}.",
    "It is a {neg} reminder of how a good idea can go wrong.",
    "The {asp} {asp_is} {aneg} and the {asp2} {asp2_is} {aneg2}.",
    "{dir} seems to have lost all interest in storytelling.", "It's loud, {neg} and badly shot.",
    "The final scene made me groan out loud.", "Simply {neg}.",
    "This is {dir} at their very worst.", "Bad cast, {aneg} {asp} and a {neg} story.",
    "I walked out of the cinema annoyed.", "It's a {neg} {film} with a hollow heart.",
    "The {asp} {asp_is} bad, the {asp2} even worse.")
POS_AFFIRM = (  # short affirmative frames -> positive
    "This {film} is {afpos}.", "This {film} was {afpos}.", "This {film} is {ampos}.",
    "This {film} was {ampos}.", "The {film} is {afpos}.", "The {film} was {ampos}.",
    "The {asp} {asp_is} {aapos}.", "The {asp} {asp_was} {aapos}.",
    "The {asp} {asp_is} {amapos}.", "The {asp} {asp_was} {amapos}.",
    "It is a {afpos} {film}.", "It was a {afpos} {film}.", "It's a {ampos} {film}.",
    "What a {afpos} {film}!", "It is {afpos}.", "It was {ampos}.", "It's {afpos}.",
    "It's a {afpos} {genre}.", "The {asp} {asp_is} {aapos} and the {asp2} {asp2_is} {aapos2}.",
    "I liked it.", "I really liked it.", "I liked this {film} a lot.", "I enjoyed it.",
    "I really enjoyed this {film}.")
NEG_AFFIRM = (  # short affirmative frames -> negative
    "This {film} is {afneg}.", "This {film} was {afneg}.", "This {film} is {amneg}.",
    "This {film} was {amneg}.", "The {film} is {afneg}.", "The {film} was {amneg}.",
    "The {asp} {asp_is} {aaneg}.", "The {asp} {asp_was} {aaneg}.",
    "The {asp} {asp_is} {amaneg}.", "The {asp} {asp_was} {amaneg}.",
    "It is a {afneg} {film}.", "It was a {afneg} {film}.", "It's a {amneg} {film}.",
    "What a {afneg} {film}!", "It is {afneg}.", "It was {amneg}.", "It's {afneg}.",
    "It's a {afneg} {genre}.", "The {asp} {asp_is} {aaneg} and the {asp2} {asp2_is} {aaneg2}.",
    "I disliked it.", "I really disliked it.", "I disliked this {film} a lot.", "I hated it.",
    "I really hated this {film}.")
POS_NEGATED = (  # negated negatives -> positive
    "This {film} isn't {fnneg} at all.", "This {film} wasn't {fnneg} in the slightest.",
    "The {asp} {asp_isnt} {annneg} at all.", "The {asp} {asp_wasnt} {annneg} in the slightest.",
    "It's not {fnneg} in the slightest.", "It is never {nevneg}.",
    "It never feels {nevneg}, not even for a minute.", "The {asp} {asp_is} never {annneg}.",
    "There isn't a dull moment in it.", "There's hardly a dull moment.",
    "Hardly a dull moment from start to finish.", "Not a single scene is wasted.",
    "I wasn't disappointed.", "I wasn't disappointed in the least.", "It isn't a waste of time.",
    "It isn't a waste of time at all; it's {pos}.", "I didn't find it {fnneg} for a second.",
    "Not once did I check my watch.", "I wasn't bored for a minute.",
    "Nothing about it feels {nevneg}.", "At no point does it feel {nevneg}.",
    "{actor} is never less than {actpos}.", "This is no {negnoun}; it's a {pos} {genre}.",
    "It's far from {nevneg}.", "I don't think I've ever seen a {genre} this {pos}.",
    "You won't be bored for a second.", "I can't remember the last time a {genre} was this {pos}.",
    "For a {genre}, it is never {gbad}.", "The {asp} {asp_doesnt} feel {annneg} at all.",
    "It wasn't {fnneg} at all, and I'd see it again.", "Not bad at all, and often {pos}.",
    "I couldn't look away.", "I didn't want it to end.", "I can't stop thinking about it.",
    "There's nothing {nevneg} about it.", "The {film} is not {fnneg}, not even a little.",
    "It is not {fnneg} at all, it is {pos}.", "It's not a bad {film} at all; it's {pos}.",
    "The {asp} {asp_is} not bad at all.", "I did not regret watching it.",
    "I didn't dislike a single minute of it.", "I did not expect to enjoy it this much.")
NEG_NEGATED = (  # negated positives -> negative
    "This {film} isn't {fnpos} in the slightest.", "This {film} wasn't {fnpos}.",
    "The {asp} {asp_isnt} {anpos} at all.", "The {asp} {asp_wasnt} {anpos} in the slightest.",
    "It's not {fnpos} in the slightest.", "It is never {nevpos}.",
    "It never feels {nevpos}, not even for a minute.", "The {asp} {asp_is} never {anpos}.",
    "There isn't a single {nevpos} moment in it.", "There's hardly a {nevpos} moment in it.",
    "It's hardly {fnpos}.", "Not a single scene works.", "I wasn't impressed.",
    "I wasn't impressed in the least.", "It isn't worth the ticket.",
    "It isn't worth your time at all; it's {neg}.", "I didn't find it {fnpos} for a second.",
    "I didn't laugh once.", "I didn't care about a single character.",
    "Nothing about it feels {nevpos}.", "At no point does it feel {nevpos}.",
    "{actor} is never convincing as {char}.", "This is no {posnoun}; it's a {neg} {genre}.",
    "It's far from {nevpos}.", "I don't think I've ever seen a {genre} this {neg}.",
    "The jokes aren't funny.", "I can't remember the last time a {genre} was this {neg}.",
    "For a {genre}, it is never {trait}.", "For a {genre}, it isn't {trait} at all.",
    "The {asp} {asp_doesnt} work at all.", "It wasn't {fnpos} at all, and I won't see it again.",
    "Not good at all, and often {neg}.", "I couldn't wait for it to end.",
    "I didn't believe a word of it.", "I can't think of a single reason to watch it.",
    "There's nothing {nevpos} about it.", "The {film} is not {fnpos}, not even a little.",
    "It is not {fnpos} at all, it is {neg}.", "It's not a good {film} at all; it's {neg}.",
    "The {asp} {asp_is} not good at all.", "I did not like this {film} at all.",
    "I didn't like it one bit.", "I did not enjoy it.")
POS_FRAMES = (  # short "X is not <negative word>" frames -> positive
    "This {film} is not {fnneg} at all.", "This {film} was not {fnneg} at all.",
    "This {film} is not {fnneg}.", "This {film} was not {fnneg}.",
    "The {asp} {asp_is} not {annneg} at all.", "The {asp} {asp_is} not {annneg}.",
    "It is not {fnneg} at all.", "It is not {fnneg}.", "It was not {fnneg} at all.")
NEG_FRAMES = (  # short "X is not <positive word>" frames -> negative
    "This {film} is not {fnpos} at all.", "This {film} was not {fnpos} at all.",
    "This {film} is not {fnpos}.", "This {film} was not {fnpos}.",
    "The {asp} {asp_is} not {anpos} at all.", "The {asp} {asp_is} not {anpos}.",
    "It is not {fnpos} at all.", "It is not {fnpos}.", "It was not {fnpos} at all.")
POS_CONTRAST = (  # verdict in the final clause -> positive
    "Although the {asp} {asp_is} a bit {mildneg}, the {asp2} {asp2_is} {apos}.",
    "The {asp} {asp_is} {mildneg}, but the {asp2} {asp2_is} {ip} {apos}.",
    "Despite a {mildneg} {part}, it won me over.", "Despite a {mildneg} {part}, {win}.",
    "Although the first act drags, the {ending} is {apos}.",
    "The first act drags, but the {ending} is {apos}.",
    "It takes a while to get going, but once it does, it is {pos}.",
    "I wasn't sure about it at first, but by the end I was {wonover}.",
    "The premise sounds silly, yet the {film} is {ip} {pos}.",
    "It's a little {mildneg} in places; however, the {asp} {asp_is} {apos}.",
    "The {asp} {asp_isnt} great, but the {asp2} more than {asp2_makes} up for it.",
    "The {asp} {asp_isnt} anything special, but the {film} as a whole is {pos}.",
    "It isn't perfect, but it's {pos} and {pos2}.",
    "It's not the most {cmp} {genre} ever made, but it is {ip} {pos}.",
    "{dir} isn't a subtle director, yet the {film} works beautifully.",
    "I didn't expect much, but it completely won me over.",
    "I went in with low expectations, but I came out smiling.",
    "Though it runs a little long, it never loses its grip.",
    "The trailer made it look {neg}, but the {film} itself is {pos}.",
    "While the {asp} {asp_is} {mildneg}, the {film} is {ip} {pos}.",
    "The reviews were mixed, but I thought it was {pos}.",
    "Some of the jokes fall flat, but the heart of the {film} is {pos}.",
    "The {asp} {asp_is} {mildneg}; still, I loved it.",
    "It stumbles early, but it finishes beautifully.",
    "The plot has a few holes, but I was having too much fun to care.",
    "It isn't a flawless {film}, but it's a {pos} one.",
    "On paper it sounds {neg}, but on screen it is {pos}.",
    "{actor} is a bit {mildneg} early on, but grows into the role beautifully.",
    "The {asp} {asp_is} {mildneg}, but the {asp2} {asp2_is} a joy.",
    "It's {mildneg} at times, yet it's mostly {pos}.")
NEG_CONTRAST = (  # verdict in the final clause -> negative
    "Although the {asp} {asp_is} {mildpos}, the {asp2} {asp2_is} {aneg}.",
    "The {asp} {asp_is} {mildpos}, but the {asp2} {asp2_is} {in} {aneg}.",
    "Despite a {promising} {part}, it lost me.", "Despite a {promising} {part}, {fall}.",
    "Although the opening is {apos}, the {ending} is {aneg}.",
    "The first act is {mildpos}, but the {ending} is a mess.",
    "It starts well, but it goes nowhere.", "I was hopeful at first, but by the end I was {lost}.",
    "The premise sounds {intriguing}, yet the {film} is {in} {neg}.",
    "It looks {mildpos} in places; however, the {asp} {asp_is} {aneg}.",
    "The {asp} {asp_isnt} bad, but the {asp2} {asp2_is} {aneg}.",
    "The {asp} {asp_isnt} the problem, but the {film} as a whole is {neg}.",
    "It isn't terrible, but it's {neg} and {neg2}.",
    "It's not the worst {genre} ever made, but it is {in} {neg}.",
    "{dir} clearly has talent, yet the {film} never comes alive.",
    "I expected a lot, but it let me down completely.",
    "I went in with high hopes, but I came out bored.",
    "Though it's fairly short, it feels endless.",
    "The trailer made it look {pos}, but the {film} itself is {neg}.",
    "While the {asp} {asp_is} {mildpos}, the {film} is {in} {neg}.",
    "The reviews were glowing, but I thought it was {neg}.",
    "A few of the jokes land, but the {film} as a whole is {neg}.",
    "The {asp} {asp_is} {mildpos}; still, I couldn't wait for it to end.",
    "It starts strong, but it ends with a whimper.",
    "The {asp} {asp_is} {mildpos}, but the {asp2} {asp2_is} a mess.",
    "It isn't a terrible {film}, but it's a {neg} one.",
    "On paper it sounds {pos}, but on screen it is {neg}.",
    "{actor} is {actpos}, but even that can't save this {neg} {film}.",
    "It's {mildpos} at times, yet it's mostly {neg}.",
    "It isn't boring, exactly, but it is {in} {neg}.")
POS_CLOSERS = (
    "Highly recommended!", "Go see it!", "Don't miss it!", "You won't regret it.",
    "I can't recommend it enough.", "Worth every penny.", "{numpos} out of ten.",
    "I'd happily watch it again.", "I'll be buying it on disc.", "Absolutely worth the ticket.",
    "Can't wait to see it again!", "A must-see.", "Bring tissues.", "Take your friends.",
    "See it on the biggest screen you can find.", "It's well worth your time.",
    "Best thing I've seen all year.", "Recommended.", "Don't let this one pass you by.",
    "It deserves a much bigger audience.", "I'm already planning a second viewing.", "Five stars.")
NEG_CLOSERS = (
    "Don't bother.", "Skip it.", "Avoid.", "Not worth the ticket.", "Save your money.",
    "I want my two hours back.", "{numneg} out of ten.", "I can't recommend it.",
    "I won't be watching it again.", "A huge letdown.", "I expected better.", "Not recommended.",
    "Give this one a miss.", "One star, and that's generous.",
    "Stay home and read a book instead.", "It doesn't deserve an audience.",
    "What a waste of an evening.", "Don't waste your time.", "I'd rather watch paint dry.",
    "Wait for it to show up on TV, or better yet, skip it.", "Two stars at most.")
OPENERS = (
    "Saw this last night.", "Watched this {time}.", "{who} dragged me to this one.",
    "I went in knowing nothing about it.", "Caught this at a late screening.",
    "Rented this on a whim.", "I saw this at a small festival last spring.",
    "Finally got around to watching this.", "We picked this for movie night.",
    "I had heard mixed things about it.", "I've followed {dir} for years.", "First review here.",
    "Went with {who} on opening weekend.", "Streamed it over the weekend.",
    "I watched this {time} with {who}.", "Picked this one because of the poster.",
    "I don't usually go for this sort of thing.", "I knew nothing about {dir} before this.",
    "This one came recommended by {who}.", "I'll keep this short.", "I bought a ticket on a whim.",
    "No spoilers here.")
CONTEXT = (
    "It's a {genre} from {dir} about {char} who {plot}.",
    "{dir}'s latest follows {char} who {plot} {setting}.", "The story follows {char} who {plot}.",
    "{actor} plays {char} who {plot}.", "Set {setting}, it follows {char} who {plot}.",
    "It runs just under two hours.", "The plot concerns {char} who {plot}.",
    "{actor} stars as {char}, with {actor2} in a supporting role.",
    "It's the new {genre} from {dir}.", "The {film} takes place {setting}.",
    "Basically, {char} {plot}.", "It's {dir}'s third feature.")
TEMPLATES = {
    ("positive", "plain"): POS_PLAIN, ("negative", "plain"): NEG_PLAIN,
    ("positive", "affirm"): POS_AFFIRM, ("negative", "affirm"): NEG_AFFIRM,
    ("positive", "negated"): POS_NEGATED, ("negative", "negated"): NEG_NEGATED,
    ("positive", "frame"): POS_FRAMES, ("negative", "frame"): NEG_FRAMES,
    ("positive", "contrast"): POS_CONTRAST, ("negative", "contrast"): NEG_CONTRAST,
    ("positive", "closer"): POS_CLOSERS, ("negative", "closer"): NEG_CLOSERS,
    ("positive", "opener"): OPENERS, ("negative", "opener"): OPENERS,
    ("positive", "context"): CONTEXT, ("negative", "context"): CONTEXT,
}

# ------------------------------------------------------------ text utilities
CUE_RE = re.compile(
    r"\b(?:not|never|hardly|no|nothing|but|although|though|despite|yet|however)\b|n't\b")
WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)*")
SENTENCE_END_RE = re.compile(r"[.!?](?:\s+|$)")
# "a" -> "an" before a vowel sound ("an eerie", "an honest"), but not "a one-sided", "a unique"
ARTICLE_RE = re.compile(r"\b([Aa]) (?=[aeiouAEIOU]|honest)(?!one\b|uni[qotv]|us[eu]|eu)")


def flatten(text):
    return text.replace("<br />", " ")


def split_sentences(text):
    return [s for s in SENTENCE_END_RE.split(flatten(text)) if s.strip()]


def words(text):
    return WORD_RE.findall(flatten(text).lower())


def dedup_key(text):
    return " ".join(flatten(text).lower().split())


def plain_uses(text, word):
    """Count uses of `word` with no negator among the NEGATION_WINDOW words before it
    in the same sentence."""
    count = 0
    for sentence in split_sentences(text):
        toks = words(sentence)
        for i, tok in enumerate(toks):
            if tok == word and not any(
                    w in NEGATORS or w.endswith("n't")
                    for w in toks[max(0, i - NEGATION_WINDOW):i]):
                count += 1
    return count


def is_excluded(text):
    plain = " ".join(re.sub(r"[^a-z0-9]+", " ", flatten(text).lower()).split())
    return any(phrase in plain for phrase in EXCLUDED)


# --------------------------------------------------------------- generation
class Slots(dict):
    """Fills template slots lazily; `shared` keeps names and genre fixed per review."""

    def __init__(self, rng, shared):
        super().__init__()
        self.rng, self.shared = rng, shared

    def __missing__(self, key):
        if "_" in key:                                   # e.g. asp2_isnt
            name, verb = key.split("_", 1)
            value = VERBS[verb][self[name] in PLURAL_ASPECTS]
        elif key in SHARED_KEYS:
            if key not in self.shared:
                self.shared[key] = self._pick(key)
            value = self.shared[key]
        else:
            value = self._pick(key)
        self[key] = value
        return value

    def _pick(self, key):
        base = key.rstrip("0123456789")
        if base in ("dir", "actor"):
            return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(SURNAMES)}"
        if base == "genre":
            self.shared["_genre"] = self.rng.choice(GENRES)
            return self.shared["_genre"][0]
        if base in ("trait", "gbad"):
            self["genre"]                                 # make sure a genre is chosen
            return self.rng.choice(self.shared["_genre"][1 if base == "trait" else 2])
        used = set(self.values())
        return self.rng.choice([w for w in BANKS[base] if w not in used])


def render(template, slots, prefix=""):
    if prefix and not (template.startswith(("I ", "I'", "{dir}", "{actor}"))):
        template = template[0].lower() + template[1:]
    text = ARTICLE_RE.sub(r"\1n ", (prefix + template).format_map(slots))
    return text[0].upper() + text[1:]


def plan_review(rng):
    """Return the sentence kinds for one review and whether it turns on negation/contrast."""
    n = rng.choices((1, 2, 3, 4), weights=(15, 35, 32, 18))[0]
    kinds = []
    if n >= 2 and rng.random() < 0.3:
        kinds.append("opener")
    if n - len(kinds) >= 2 and rng.random() < 0.25:
        kinds.append("context")
    room = n - len(kinds)
    closer = room >= 2 and rng.random() < 0.4
    cores = ["affirm" if rng.random() < AFFIRM_SHARE else "plain"
             for _ in range(room - closer)]
    turn = rng.random() < TURN_SHARE
    turn_kinds = ("negated", "frame", "contrast")
    for i in range(len(cores)):
        if rng.random() < EXTRA_TURN:
            cores[i] = rng.choice(turn_kinds)
    if turn:
        cores[rng.randrange(len(cores))] = rng.choice(turn_kinds)
    turned = turn or any(k in turn_kinds for k in cores)
    return kinds + cores + ["closer"] * closer, turned


def make_review(rng, label):
    kinds, turned = plan_review(rng)
    shared, used, sentences = {}, [], []
    for kind in kinds:
        options = [t for t in TEMPLATES[(label, kind)] if t not in used]
        template = rng.choice(options)
        used.append(template)
        prefix = ""
        if kind in ("plain", "affirm", "negated", "frame") and rng.random() < 0.1:
            prefix = rng.choice(PREFIXES + LABEL_PREFIXES[label])
        sentence = render(template, Slots(rng, shared), prefix)
        assert len(split_sentences(sentence)) == 1, sentence
        sentences.append(sentence)
    text = sentences[0]
    br_at = rng.randrange(1, len(sentences)) if len(sentences) > 1 and rng.random() < 0.1 else -1
    for i, sentence in enumerate(sentences[1:], start=1):
        text += ("<br /><br />" if rng.random() < 0.7 else "<br />") if i == br_at else " "
        text += sentence
    return text, used, turned


def generate(seed, n_per_label):
    rng = random.Random(seed)
    seen, reviews, templates, turned_count = set(), {label: [] for label in LABELS}, {}, 0
    for label in LABELS:
        attempts = 0
        while len(reviews[label]) < n_per_label:
            attempts += 1
            if attempts > 100 * n_per_label:
                raise RuntimeError(f"could not make {n_per_label} unique {label} reviews")
            text, used, turned = make_review(rng, label)
            key = dedup_key(text)
            if key in seen or is_excluded(text):
                continue
            seen.add(key)
            reviews[label].append(text)
            turned_count += turned
            for template in used:
                templates[template] = True
    return reviews, len(templates), turned_count


def split(reviews, seed):
    rng = random.Random(seed + 1)
    parts = {name: [] for name, _ in SPLITS}
    for label in LABELS:
        items = list(reviews[label])
        rng.shuffle(items)
        n_dev = round(len(items) * SPLITS[1][1])
        n_test = round(len(items) * SPLITS[2][1])
        parts["test"] += [(t, label) for t in items[:n_test]]
        parts["dev"] += [(t, label) for t in items[n_test:n_test + n_dev]]
        parts["train"] += [(t, label) for t in items[n_test + n_dev:]]
    for rows in parts.values():
        rng.shuffle(rows)
    return parts


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(("text", "label"))
        writer.writerows(rows)


# -------------------------------------------------------------------- stats
def summarize(parts, n_templates, turned_count):
    rows = [row for name, _ in SPLITS for row in parts[name]]
    print(f"{'split':<6} {'negative':>9} {'positive':>9} {'total':>6}")
    for name, group in [(name, parts[name]) for name, _ in SPLITS] + [("all", rows)]:
        counts = [sum(1 for _, label in group if label == lab) for lab in LABELS]
        print(f"{name:<6} {counts[0]:>9} {counts[1]:>9} {len(group):>6}")
    n_sent = [len(split_sentences(text)) for text, _ in rows]
    n_words = [len(words(text)) for text, _ in rows]
    vocab = {w for text, _ in rows for w in words(text)}
    for what, values in (("sentences", n_sent), ("words", n_words)):
        mean = sum(values) / len(values)
        print(f"{what} per review: min {min(values)}, mean {mean:.2f}, max {max(values)}")
    print(f"vocabulary (lowercased word types): {len(vocab)}")
    shares = []
    for lab in LABELS + (None,):
        group = [text for text, label in rows if lab in (None, label)]
        cued = sum(1 for text in group if CUE_RE.search(flatten(text).lower()))
        shares.append(f"{cued / len(group):.1%}")
    print(f"negation/contrast cue share (regex): {shares[2]} "
          f"(negative {shares[0]}, positive {shares[1]})")
    print(f"built around a negation/contrast template: {turned_count / len(rows):.1%}")
    print(f"distinct templates used: {n_templates}")
    cues = []
    for word in ("not", "never", "but") + PLAIN_WORDS:
        counts = [sum(1 for text, label in rows if label == lab and word in words(text))
                  for lab in LABELS]
        cues.append(f"{word} {counts[0]}/{counts[1]}")
    print("reviews containing (negative/positive): " + ", ".join(cues))
    plain = []
    for word in PLAIN_WORDS:
        counts = [sum(1 for text, label in rows if label == lab and plain_uses(text, word))
                  for lab in LABELS]
        plain.append(f"{word} {counts[0]}/{counts[1]} ({counts[1] / max(1, sum(counts)):.0%})")
    print(f"reviews with the plain word, no negator in the {NEGATION_WINDOW} words before it "
          "(negative/positive, share positive): " + ", ".join(plain))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "data")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--n-per-label", type=int, default=DEFAULT_N_PER_LABEL)
    args = parser.parse_args()
    reviews, n_templates, turned_count = generate(args.seed, args.n_per_label)
    parts = split(reviews, args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, _ in SPLITS:
        write_csv(args.out / f"{name}.csv", parts[name])
    print(f"wrote {', '.join(name + '.csv' for name, _ in SPLITS)} to {args.out}")
    summarize(parts, n_templates, turned_count)


if __name__ == "__main__":
    main()
