"""Neutral filler: plot summaries, cast and production notes, and the reviewer's circumstances.

None of these sentences says whether the film is good; both labels draw them with the same
probabilities, so the words in them (and the made-up names, which a model sees as `<unk>`)
carry no label.
"""

OCCUPATIONS = (
    "nurse", "detective", "schoolteacher", "farmer", "lawyer", "journalist", "pilot", "soldier",
    "waitress", "mechanic", "priest", "surgeon", "con man", "boxer", "singer", "painter",
    "taxi driver", "scientist", "police officer", "student", "widow", "single mother",
    "retired cop", "bank robber", "photographer", "novelist", "drifter", "rancher", "sailor",
    "housewife", "professor", "gangster", "hitman", "spy", "thief", "lifeguard", "dancer",
    "magician", "doctor", "miner", "fisherman", "chef", "janitor", "accountant", "salesman",
    "politician", "preacher", "bartender", "truck driver", "astronaut", "archaeologist",
    "fashion designer", "park ranger", "social worker", "hacker", "mercenary", "vampire",
    "ghost", "robot", "alien", "sheriff", "prince", "servant", "governess", "orphan",
    "runaway", "boy", "girl", "teenager", "old man", "young woman", "musician", "comedian")
RELATIONS = (
    "brother", "sister", "father", "mother", "wife", "husband", "son", "daughter", "uncle",
    "best friend", "boss", "neighbor", "ex-wife", "partner", "landlord", "childhood friend",
    "old teacher", "grandfather", "cousin", "girlfriend", "boyfriend", "rival", "mentor")
EVENTS = (
    "a stranger arrives in town", "the money goes missing", "a storm cuts off the island",
    "an old friend turns up", "a body is found in the lake", "the factory closes",
    "the war breaks out", "a letter arrives from abroad", "the house burns down",
    "a child goes missing", "the election approaches", "a comet appears in the sky",
    "the bank forecloses on the farm", "an experiment goes wrong", "the aliens land",
    "the ship runs aground", "the power goes out across the city", "a witness disappears",
    "a secret from the past comes out", "the family gathers for a funeral",
    "the circus comes to town", "a virus spreads through the city", "the heist goes wrong",
    "the dam starts to crack", "the police close in", "the wedding is called off",
    "a tape turns up in the mail", "the old mine reopens", "a rival gang moves in",
    "the school announces it will close", "the boss is murdered", "the first snow falls")
GOALS = (
    "clear their name", "find the killer", "get home", "save the farm", "win back their family",
    "escape the city", "pay off a debt", "protect a witness", "finish the job",
    "find out the truth", "keep the secret", "get out alive", "stop the wedding",
    "win the championship", "make it to the coast", "find the treasure", "save the town",
    "rescue their daughter", "prove their innocence", "put the band back together",
    "take revenge", "start over", "reach the summit", "deliver the package", "catch the train")
SOURCES = ("novel", "short story", "play", "true story", "comic book", "memoir", "video game",
           "newspaper article", "television series", "children's book", "stage musical")
MEDIA = (
    "on cable", "on DVD", "on Blu-ray", "on a streaming service", "at the cinema",
    "on late-night TV", "on a plane", "at a festival", "at a friend's house", "on VHS years ago",
    "in a nearly empty theater", "at a packed midnight screening", "on my laptop",
    "on the big screen", "at a drive-in", "on television as a kid")
FESTIVALS = ("a festival in the spring", "a small film festival", "a festival abroad",
             "the local film society", "an art-house cinema downtown")
LANGUAGES = ("French", "Spanish", "Italian", "German", "Japanese", "Korean", "Hindi",
             "Swedish", "Russian", "Portuguese", "Mandarin", "Danish", "Polish", "Turkish")
DECADES = ("twenties", "thirties", "forties", "fifties", "sixties", "seventies", "eighties",
           "nineties")
YEARS = tuple(str(y) for y in range(1931, 2021, 3))
NUMBERS = ("two", "three", "four", "five", "six", "seven", "eight", "ten", "twelve")
MINUTES = ("85", "90", "95", "100", "104", "110", "118", "125", "132", "140", "150", "165")
AGES = ("ten", "twelve", "fourteen", "sixteen", "nineteen", "twenty", "a kid", "in college")
PRONOUNS = (("he", "his", "him"), ("she", "her", "her"))
SCENES = (
    "a long shot of a highway at night", "a wedding", "a funeral", "a car chase",
    "a flashback to the war", "a phone call in the middle of the night", "a bank robbery",
    "a quiet breakfast", "a storm at sea", "a crowded train station", "an interrogation",
    "a dream sequence", "a voice-over", "a slow pan across the city", "a birthday party")

PLOT = (
    "{Cname} ({actor}) is a {occ} who {plot}.",
    "The story follows {cname}, a {occ} who {plot}.",
    "{actor} plays {Cname}, a {occ} whose {rel} {plot}.",
    "When {event}, {cname} has to {goal}.",
    "It all starts when {event}.",
    "Along the way, {he} meets {Cname2}, a {occ2} with problems of {his} own.",
    "Meanwhile, {his} {rel} tries to {goal}.",
    "{Cname2} ({actor2}) is the {occ2} who helps {him} {goal}.",
    "Without giving too much away, {event}, and things get complicated.",
    "The second half moves {setting}.",
    "The story takes place {setting} in the {decade}.",
    "Set {setting}, it follows {cname} as {he} tries to {goal}.",
    "Most of the film takes place {setting}.",
    "There is a subplot about {his} {rel}, who {plot}.",
    "Then {event}, and {he} must decide whether to {goal}.",
    "By the halfway point {he} has to {goal} before {event2}.",
    "{Cname} used to be a {occ}, but now {he} {plot}.",
    "{actor2} plays {his} {rel}.",
    "{Cname} falls in love with {cname2}, a {occ2}.", "It's a love story set {setting}.",
    "{Cname} looks like a {occ}, but {he} is really a {occ2}.",
    "{Cname} has to fight for {his} life when {event}.",
    "There's a murder, and everyone in town is a suspect.",
    "{Cname}'s {rel} was killed in the war.", "It deals with death, grief and family.",
    "Like most {genre}s, it has a big final showdown.",
    "It's the kind of {genre} where everyone is hiding something.",
    "{Cname}'s best friend is a {occ2} named {cname2}.",
    "{Cname} acts like nothing happened.", "The evil {occ} wants to take over the town.",
    "{Cname} is afraid of losing {his} {rel}.", "{Cname} has a dark past.",
    "{Cname} wants to be the best {occ} in town.",
    "It has a happy ending, sort of.", "{Cname} just wants to be left alone.",
    "In one scene, {cname} has to choose between {his} {rel} and {his} job.",
    "The {film} opens with {scene}.",
    "There is a long sequence with {scene}.",
    "The last part of the {film} deals with what happens after {event}.",
)
PRODUCTION = (
    "It was shot {setting} in about {num} weeks.",
    "The running time is about {min} minutes.",
    "It runs {min} minutes.",
    "It's based on a {source} by {person}.",
    "The music is by {person}.",
    "The screenplay was written by {person} and {dir}.",
    "It came out in {year}.",
    "It was released in {year}, the same year as {dir}'s {ordinal} {film}.",
    "It premiered at {festival}.",
    "This is the {ordinal} {film} from {dir}.",
    "It's in {language} with English subtitles.",
    "The {film} was made in {year} and set in the {decade}.",
    "{dir} also wrote the script.",
    "{actor} had just come off a television series when this was made.",
    "It's a remake of a {language} {film} from the {decade}.",
    "It is the {ordinal} part of a series.",
    "The cast includes {actor}, {actor2} and {person}.",
    "{person} did the cinematography.",
    "It was filmed in black and white.",
    "Most of the cast were unknowns at the time.",
    "It was produced by the same team as {dir}'s earlier {film}s.",
    "The title comes from a {source} by {person}.",
)
PERSONAL = (
    "I saw it {medium}.",
    "I watched it {time} with {who}.",
    "I read the {source} years ago.",
    "I remember the trailer from back in {year}.",
    "I went in knowing very little about it.",
    "This is my first review on this site.",
    "Spoilers ahead.",
    "I'll try to keep this spoiler-free.",
    "{Who} lent me the DVD.",
    "I had seen a couple of {dir}'s earlier {film}s.",
    "It came on TV late one night and I kept watching.",
    "I first saw it when I was {age}.",
    "I'm writing this a few days after seeing it.",
    "We watched it as part of a {genre} marathon.",
    "I rented it along with two other {film}s.",
    "I had to watch it for a class.",
    "My {rel} recommended it to me.",
    "I saw it in a theater with maybe ten other people.",
    "I've now seen it {num} times.",
    "A few people have asked what I thought, so here goes.",
    "I don't normally write reviews.",
    "I watched the director's cut.",
    "I saw the dubbed version.",
    "I like {genre}s, so I gave it a try.", "I have to say I was curious about this one.",
    "Well, where to begin.", "I have seen a lot of {genre}s over the years.",
    "I was looking for something to watch and found this.",
    "It's been a while since I saw a {genre}.", "Let me explain.",
    "I have read some of the other reviews here.", "Some people here love it, some hate it.",
    "I saw it the night it came out.", "I was told it was a {genre}, and it is.",
    "I knew the {source} before I saw the {film}.",
)
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "latest", "last")

BANKS = {
    "occ": OCCUPATIONS, "rel": RELATIONS, "event": EVENTS, "goal": GOALS, "source": SOURCES,
    "medium": MEDIA, "festival": FESTIVALS, "language": LANGUAGES, "decade": DECADES,
    "year": YEARS, "num": NUMBERS, "min": MINUTES, "age": AGES, "scene": SCENES,
    "ordinal": ORDINALS,
}
