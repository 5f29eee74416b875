"""Sentence shapes for reviews built from the lexicon.

A template written with `@` takes the polarity of the sentence (`{adj@}` -> `{adjpos}` in a
positive sentence) and `~` the opposite one (`{adj~}` -> `{adjneg}`), so one template serves
both labels: "It's not {adj~}." is "It's not boring." in a positive review and "It's not
clever." in a negative one. `OWN` families say what the review's label says; `CONCESSION`
families are the opposite-side remarks of mixed reviews ("The score is a bit thin."), which
speak about a part of the film and never give the verdict.
"""

ADJ = (
    "The {asp} {asp_is} {int} {adj@}.", "The {asp} {asp_was} {adj@}.", "It's a {adj@} {film}.",
    "What a {adj@} {film}!", "This is a {int} {adj@} {genre}.", "{actor} is {adj@} as {cname}.",
    "The {film} is {adj@}, {adj@2} and {adj@3}.", "{dir} has made a {adj@} {film}.",
    "Everything about it is {adj@}.", "The whole cast is {adj@}.",
    "{actor} gives a {int} {adj@} performance.",
    "The {asp} {asp_is} {adj@}, and the {asp2} {asp2_is} just as {adj@2}.",
    "It's {int} {adj@}.", "It looks {adj@} and feels {adj@2}.",
    "{Adj@}, {adj@2} and {int} {adj@3}.", "The {asp} in particular {asp_is} {adj@}.",
    "I found it {int} {adj@}.", "I thought the {asp} {asp_was} {adj@}.",
    "It is, in a word, {adj@}.", "Just {adj@}.", "{Int} {adj@}.",
    "The {asp} {asp_is} {adj@}; the {asp2} {asp2_is} {adj@2}.",
    "It's a {adj@} and {adj@2} {genre}.", "The performances are {int} {adj@}.",
    "The writing is {adj@} and the direction is {adj@2}.", "All of it is {adj@}.",
    "{actor} and {actor2} are both {adj@}.", "It's one {adj@} {film}.",
)
ADV = (
    "It's {adv@} {done}.", "The {film} is {adv@} {done} and {adv@2} {done2}.",
    "The {asp} {asp_is} {adv@} handled.", "{actor} plays {cname} {adv@}.",
    "{dir} directs {adv@}.", "Every scene is {adv@} {done}.", "The story is told {adv@}.",
    "The {asp} {asp_was} {adv@} done.", "It's all {adv@} put together.",
    "It is {int} {adv@} {done}.", "Each character is {adv@} written.",
)
LIKE = (
    "I {like@} it.", "I {like@} this {film}.", "We {like@} it.", "{Who} {like@} it too.",
    "Honestly, I {like@} it.", "I {like@} the {asp}.", "I {like@} it, plain and simple.",
    "My {rel} and I both {like@} it.",
)
IT = (
    "It {it@}.", "The {film} {it@}.", "The {sasp} {it@}.", "From the first scene, it {it@}.",
    "It {it@} from start to finish.", "{dir}'s {film} {it@}.", "The whole thing {it@}.",
    "Scene after scene, it {it@}.", "In the end, it {it@}.",
)
NOUN = (
    "It's a {noun@}.", "What a {noun@}!", "A {adj@} {noun@}.", "This {film} is a {noun@}.",
    "{dir} has made a {noun@}.", "Call it a {noun@}.", "A real {noun@}.",
    "It's nothing short of a {noun@}.", "The {film} is a {noun@} from start to finish.",
    "It's a {int} {adj@} {noun@}.",
)
QUALITY = (
    "It's full of {q@}.", "There's no shortage of {q@}.", "It has {q@} to spare.",
    "The {film} is packed with {q@}.", "Lots of {q@}.", "Plenty of {q@} here.",
    "It is crammed with {q@}.",
)
NP = (
    "It's {np@}.", "This {film} is {np@}.", "Simply put, it's {np@}.", "In a word: {np@}.",
    "What {np@}!", "{Np@}.", "Honestly, it's {np@}.", "The {film} is {np@}.",
    "It's {np@}, no question.",
)
VP = (
    "It {vp@}.", "The {film} {vp@}.", "The {asp} {vp@}.", "{dir}'s {film} {vp@}.",
    "Frankly, it {vp@}.", "It just {vp@}.", "The {ending} {vp@}.",
)
CLAUSE = ("{Cl@}.", "{Cl@}!", "Honestly, {cl@}.", "{Cl@}.")
MASS = ("It's pure {mass@}.", "Pure {mass@}.", "This is {mass@}, plain and simple.",
        "Two hours of pure {mass@}.")
NEGATED = (
    "It's not {adj~}.", "It isn't {adj~} at all.", "It's never {adj~}.",
    "There's nothing {adj~} about it.", "The {asp} {asp_isnt} {adj~}.",
    "The {asp} {asp_wasnt} {adj~} in the slightest.", "It never {it~}.", "It doesn't {it~b}.",
    "The {film} never {it~}.", "This is no {noun~}.", "It's not {np~}.",
    "Not {adj~}, not {adj~2}, just {adj@}.", "Far from {adj~}.", "Hardly {adj~}.",
    "I didn't find it {adj~}.", "I wouldn't call it {adj~}.", "It is not {adj~} at all.",
    "It's not {adj~}; it's {adj@}.", "Nobody would call it {adj~}.",
    "The {asp} {asp_is} not {adj~} at all.", "It wasn't {adj~}, not for a minute.",
    "There isn't a single {adj~} moment in it.", "At no point is it {adj~}.",
)
CONTRAST = (
    "The {asp} {asp_is} {adj~}, but the {film} as a whole is {adj@}.",
    "Although the {asp} {asp_is} {mild~x}, the {asp2} {asp2_is} {adj@}.",
    "Sure, the {asp} {asp_is} {adj~}, but {cl@}.",
    "While {actor} is {adj~}, the {film} is {int} {adj@}.",
    "It has its {q~}, but it {vp@}.", "The {sasp} {vp~}, but the rest of it {vp@}.",
    "It starts out {adj~}, but it ends up {adj@}.", "{Mild~x} in places, yet {adj@} overall.",
    "The first half {it~}, but the second half {it@}.", "It may be {mild~x}, but it's {adj@}.",
    "I expected it to be {adj~}, but it turned out {adj@}.",
    "Some people call it {adj~}; I found it {adj@}.",
    "The critics said it was {adj~}, but I think it's {np@}.",
    "The trailer made it look {adj~}, but the {film} is {adj@}.",
    "It's {mild~x} at times; still, it's {np@}.",
    "Yes, the {asp} {asp_is} {mild~x}, but I {like@} it anyway.",
    "Despite the {adj~} {asp}, it {vp@}.", "For all its {q~}, it's {adj@}.",
    "It isn't {adj@2} everywhere, but overall it's {adj@}.",
)
QUESTION = (
    "Is it {adj@}? {Yes}.", "Is it {adj~}? {No}.", "Was the {sasp} {adj@}? {Yes}.",
    "Did it {it~b}? {No}.", "Would I watch it again? {Again@}.", "Is it worth your time? {Worth@}.",
    "Was I {state@}? {Yes}.", "Did I {likeb@} it? {Yes}.",
)
COMPARISON = (
    "It's {better@} than {ref}.", "It's far {better@} than {ref}.",
    "It's the {best@} {genre} I've seen in years.", "One of the {best@} {film}s of the year.",
    "Easily the {best@} thing {dir} has done.", "Compared to {ref}, it's {adj@}.",
    "It makes {ref} look {adj~}.", "It's a lot {better@} than {ref}.",
    "It's the {best@} {film} I've seen this year.",
)
HEDGE = (
    "I think it's {adj@}.", "I'd say it's {adj@}, mostly.", "In my opinion, it's {np@}.",
    "For me, it's {adj@}.", "It's probably the most {most@} {film} of the year.",
    "Maybe it's just me, but I {like@} it.",
    "I might be in the minority here, but I thought it was {adj@}.", "To my mind, it's {adj@}.",
    "I have to say it's {adj@}.", "I guess it's {adj@}, really.",
)
RATING = (
    "{r@}/10", "{r@}/10.", "{r@} out of 10.", "I give it a {r@}.", "{r@}/10, {again@}.",
    "My rating: {r@}/10.", "{Stars@} stars out of five.", "Rating: {r@} out of 10.",
    "I'd give it {r@} out of 10.", "{r@}/10 from me.",
)
ONLY = {  # shapes that exist for one label only
    "positive": (
        "Who knew a {genre} could be this {adjpos}?", "What more could you want?",
        "Why isn't everyone talking about this {film}?", "Need I say more?",
        "It's every bit as {adjpos} as {ref}.", "It even beats {ref}.",
        "It may not be for everyone, but I found it {adjpos}.",
        "Some people will find it {mildnegx}, but I loved it.",
        "I hate to admit it, but I loved it.", "I expected to hate it, and I loved it.",
        "Damn, this is good.", "I hated how much I loved it.",
        "Sorry, haters: this one is {adjpos}.", "I'm not ashamed to say I cried.",
        "I didn't hate it; I loved it.", "I wasn't bored for a second.",
        "I was worried it would be {adjneg}, and it isn't.",
        "Forget the bad reviews; it's {adjpos}.", "Ignore the critics.",
        "It's not perfect, but who cares?", "Don't listen to the haters.",
        "It doesn't reinvent the wheel, but it doesn't need to.",
        "Both {actor} and {actor2} are {adjpos}.", "Especially the {asp}.",
        "It also has {qpos}.", "I especially loved the {asp}.",
        "It's one of those rare {film}s that {vppos}.",
        "It has become one of my favorite {film}s.", "One of my favorite {film}s of all time.",
        "It deserves to be seen by a much wider audience.", "It's the best {genre} ever made.",
        "One of the best {film}s I have ever seen.", "This is the best {film} of the year.",
        "I would recommend it to anyone.", "It's well worth seeing.", "Watch it, you won't regret it.",
        "It gets better every time.", "It is a {film} everyone should see at least once.",
        "The {asp} {asp_is} {adjpos} as well.", "The {asp} also deserves a mention.",
        "It's a {mildposx} little {film}, and I enjoyed it.", "Pretty good, actually.",
        "It's quite {adjpos}.", "I found it rather {adjpos}.",
        "It's better than it had any right to be.", "A nice surprise.",
        "It's a small {film}, but a {adjpos} one.", "It's not flashy, but it is {adjpos}.",
    ),
    "negative": (
        "What were they thinking?", "Who thought this was a good idea?",
        "Why did I waste my time?", "How did this ever get made?", "Where do I even start?",
        "Why does this {film} even exist?", "Did anyone read the script before filming?",
        "Was the {sasp} {adjneg}? Of course it was.", "It's nowhere near as {adjpos} as {ref}.",
        "It doesn't hold a candle to {ref}.", "It's not a patch on {ref}.",
        "Maybe I'm being harsh, but it's {adjneg}.", "I wanted to like it, I really did.",
        "I really wanted to love this {film}.", "I had high hopes for this one.",
        "I suppose some people will enjoy it, but I found it {adjneg}.",
        "It might work for some, but for me it was {adjneg}.", "I tried, I really tried.",
        "I didn't like it.", "I didn't enjoy it.", "I didn't care for it.",
        "I didn't love it, or even like it.", "I did not enjoy a single minute.",
        # sarcasm: praise words, meaning the opposite
        "Oh great, another {genre} about a {occ} who {plot}.", "What a masterpiece... not.",
        "Brilliant, if you enjoy watching paint dry.", "Just what the world needed: another {genre}.",
        "Wow. Just wow. And not in a good way.", "Thanks for nothing, {dir}.",
        "Riveting stuff, said no one ever.", "I laughed, but only at how bad it was.",
        "Congratulations to {dir} on finding new ways to bore an audience.",
        "Ten out of ten for effort, zero for everything else.",
        "The best thing about it is the end credits.", "The best part was when it ended.",
        "The most exciting thing about it was the popcorn.",
        "If you like clichés, you'll love this.", "Sure, it's {adjpos}, if you're five.",
        "A real triumph of style over substance, minus the style.",
        "The only thing {adjpos} about it is the poster.",
        "Great, just great. Two hours I'll never get back.",
        "It could have been {adjpos}.", "It should have been a {nounpos}.",
        "It could have been so much better.", "At least the {asp} {asp_is} {cadjpos}.",
        "It was supposed to be {adjpos}.", "The {asp} {asp_was} supposed to be the highlight.",
        "Instead, we get {npneg}.", "This had the potential to be {adjpos}.",
        "So much potential, so little payoff.", "What could have been a {nounpos} is {npneg}.",
        "I kept waiting for something to happen.", "Nothing happens for the first hour.",
        "Even {actor} can't save it.", "Even the {asp} {asp_is} {adjneg}.",
        "The only decent thing is the {asp}.", "The worst {film} I've ever seen.",
        "It's the worst {genre} ever made.", "One of the worst {film}s I have ever seen.",
        "This is the worst {film} of the year.", "Avoid this {film} at all costs.",
        "I wouldn't recommend it to anyone.", "Don't waste your money on this one.",
        "It's not even so bad it's good.", "There is simply no excuse for this.",
        "The {asp} {asp_is} {adjneg} as well.", "Why would anyone make this?",
        # lukewarm and mildly negative, as many real negative reviews are
        "It's {mildposx} at best.", "It's just {mildposx}, nothing more.", "Nothing special.",
        "It's nothing special.", "It's not very {adjpos}.", "It's not that {adjpos}.",
        "Not much of a {genre}.", "It's {mildnegx} and {mildnegx2}.", "A bit of a letdown.",
        "It's a bit {mildnegx}, to be honest.", "Meh.", "Watchable, but only just.",
        "It's okay, I guess, but I wouldn't watch it again.", "I found it rather {adjneg}.",
        "It was a little disappointing.", "It didn't really work for me.",
        "It's {mildnegx} at best.", "I expected more.", "It just didn't do it for me.",
        "The {asp} {asp_is} {mildnegx}, and so is everything else.",
        "Not terrible, but not {adjpos} either.", "It's not a {film} I'd watch twice.",
    ),
}
OWN = {  # family -> weight, for sentences that say what the label says
    "adj": 18, "adv": 5, "like": 5, "it": 5, "noun": 5, "quality": 4, "np": 7, "vp": 6,
    "clause": 7, "mass": 2, "negated": 11, "contrast": 8, "question": 3, "comparison": 4,
    "hedge": 3, "only": 10,
}
FAMILIES = {
    "adj": ADJ, "adv": ADV, "like": LIKE, "it": IT, "noun": NOUN, "quality": QUALITY, "np": NP,
    "vp": VP, "clause": CLAUSE, "mass": MASS, "negated": NEGATED, "contrast": CONTRAST,
    "question": QUESTION, "comparison": COMPARISON, "hedge": HEDGE, "rating": RATING,
}
CONCESSION = (  # the other side's remarks in a mixed review: about a part, never the verdict
    # ({cadj@} is {adj@} with every word equally likely, so "good" is not overused here)
    "The {asp} {asp_is} {int} {cadj@}.", "{actor} is {cadj@} as {cname}.", "The {asp} {vp@}.",
    "It has its share of {q@}.", "The {asp} {asp_is} a bit {mild@x}.",
    "The {asp} {asp_is} {adv@} {done}.", "I'll admit the {asp} {asp_is} {cadj@}.",
    "To be fair, the {asp} {asp_is} {mild@x}.", "The {asp} {asp_was} {cadj@}, I'll give it that.",
    "There are some {cadj@} moments.", "The {sasp} {it@}.",
)
VERDICT_PREFIXES = (
    "Overall, ", "All in all, ", "In the end, ", "Bottom line: ", "My verdict: ", "To sum up, ",
    "In short, ", "So, ", "Long story short, ", "All told, ", "Final verdict: ", "",
    "", "", "Anyway, ", "In conclusion, ")
VERDICT_FAMILIES = ("adj", "np", "clause", "noun", "vp", "rating", "like", "mass")

SLOTS = {
    "done": ("shot", "written", "acted", "directed", "edited", "paced", "scored", "lit", "cast",
             "plotted", "staged", "performed", "photographed", "structured", "made", "crafted",
             "executed", "realized", "designed"),
    "yes": ("Yes", "Absolutely", "Without a doubt", "You bet", "Definitely", "Oh yes",
            "Very much so", "No question"),
    "no": ("No", "Not at all", "Not for a second", "Hardly", "Not even close",
           "Not in the slightest", "Nope"),
    "againpos": ("In a heartbeat", "Absolutely", "Tomorrow, if I could", "Many times",
                 "would watch again"),
    "againneg": ("Never", "Not a chance", "No way", "Not in a million years", "never again"),
    "worthpos": ("Yes", "Absolutely", "Every minute of it", "Without a doubt"),
    "worthneg": ("No", "Not at all", "Not even close", "Absolutely not"),
    "statepos": ("impressed", "moved", "entertained", "hooked", "surprised", "satisfied"),
    "stateneg": ("bored", "annoyed", "confused", "irritated", "offended", "exhausted"),
    "likebpos": ("enjoy", "like", "love"), "likebneg": ("hate", "dislike", "regret"),
    "betterpos": ("better", "funnier", "smarter", "sharper", "richer", "bolder", "fresher",
                  "stronger", "deeper", "warmer", "tighter", "livelier", "more entertaining",
                  "more moving", "more exciting", "more inventive", "more gripping",
                  "more satisfying", "more original", "more beautiful"),
    "betterneg": ("worse", "duller", "weaker", "sillier", "dumber", "lazier", "flatter",
                  "cheaper", "sloppier", "messier", "shallower", "blander", "more boring",
                  "more tedious", "more predictable", "more annoying", "more pointless",
                  "more confusing", "uglier", "more forgettable"),
    "bestpos": ("best", "finest", "funniest", "smartest", "most moving", "most exciting",
                "most entertaining", "most original", "most beautiful", "greatest"),
    "bestneg": ("worst", "dullest", "silliest", "dumbest", "laziest", "most boring",
                "most tedious", "most pointless", "most annoying", "weakest"),
    "ref": ("the original", "the book", "the first one", "{dir}'s last {film}", "most {genre}s",
            "anything else out this year", "the earlier version", "its predecessor",
            "the stage version", "the other {genre}s this year", "the sequel"),
    "rpos": ("7", "8", "8", "9", "9", "10", "10", "8.5", "7.5"),
    "rneg": ("1", "1", "2", "2", "3", "3", "4", "0", "2.5"),
    "starspos": ("Four", "Five", "Four and a half"),
    "starsneg": ("One", "Two", "Zero", "One and a half"),
}


def expand(template, label):
    """`@` -> this label's slot suffix, `~` -> the other label's."""
    own, other = ("pos", "neg") if label == "positive" else ("neg", "pos")
    return template.replace("@", own).replace("~", other)
