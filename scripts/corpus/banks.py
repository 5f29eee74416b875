"""Phrase banks of the short-review templates (the first version of the corpus), and the
slot registry `BANKS` that every template in this package fills from."""
FILMS = ("movie", "movie", "film", "film", "picture", "feature")
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
SHARED_KEYS = ("dir", "actor", "actor2", "genre", "film", "char", "cname", "cname2")  # fixed within one review
VERBS = {"is": ("is", "are"), "isnt": ("isn't", "aren't"), "was": ("was", "were"),
         "wasnt": ("wasn't", "weren't"), "doesnt": ("doesn't", "don't"), "makes": ("makes", "make")}

