"""Name lists for the demo educators: common US given names and surnames, with a regional
flavour per state (Scandinavian and pioneer surnames in central Utah, Appalachian ones in
Kentucky, Irish, Italian, Portuguese and Vietnamese ones around Boston, Lumbee and
eastern Carolina ones in North Carolina, Ozark ones in Arkansas). Every person in the demo
is invented."""

FIRST_NAMES = (
    "Aaron", "Abigail", "Adam", "Aisha", "Alejandro", "Alexis", "Alicia", "Allison", "Amanda",
    "Amber", "Amy", "Andrea", "Andrew", "Angela", "Anna", "Anthony", "April", "Ashley",
    "Benjamin", "Beth", "Brandon", "Brenda", "Brian", "Brittany", "Brooke", "Caleb", "Carla",
    "Carlos", "Carmen", "Caroline", "Catherine", "Chelsea", "Christina", "Christopher",
    "Claire", "Courtney", "Crystal", "Daniel", "Danielle", "David", "Deborah", "Denise",
    "Derek", "Diana", "Dominic", "Dustin", "Elena", "Elizabeth", "Emily", "Eric", "Erin",
    "Ethan", "Gabriela", "Grace", "Hannah", "Heather", "Holly", "Isaac", "Jacob", "Jamal",
    "James", "Jasmine", "Jason", "Javier", "Jennifer", "Jeremy", "Jessica", "Joanna", "Jonathan",
    "Jordan", "Joseph", "Joshua", "Julia", "Justin", "Karen", "Katherine", "Kayla", "Keisha",
    "Kelly", "Kevin", "Kimberly", "Kristen", "Latoya", "Laura", "Lauren", "Leah", "Lindsey",
    "Lisa", "Luis", "Madison", "Marcus", "Maria", "Mark", "Matthew", "Megan", "Melissa",
    "Michael", "Michelle", "Miguel", "Monica", "Nathan", "Nicole", "Olivia", "Patricia",
    "Paul", "Priya", "Rachel", "Rebecca", "Renee", "Robert", "Rosa", "Ryan", "Samantha",
    "Samuel", "Sarah", "Sean", "Shannon", "Sofia", "Stephanie", "Steven", "Tamika", "Tanya",
    "Teresa", "Thomas", "Tiffany", "Timothy", "Tyler", "Vanessa", "Victoria", "Wesley",
    "William", "Yolanda", "Zachary",
)

UTAH_FIRST_NAMES = (
    "McKay", "Brigham", "Emma", "Kimball", "Eliza", "Spencer", "Camille", "Tanner", "Kaylee",
    "Bryson", "Mckenna", "Landon", "Brynn", "Porter", "Hailey", "Jaxon", "Kenzie", "Dallin",
)

LAST_NAMES = (
    "Adams", "Allen", "Alvarez", "Anderson", "Bailey", "Baker", "Barnes", "Bell", "Bennett",
    "Brooks", "Brown", "Bryant", "Butler", "Campbell", "Carter", "Castillo", "Chavez", "Clark",
    "Coleman", "Collins", "Cook", "Cooper", "Cox", "Cruz", "Davis", "Diaz", "Edwards", "Evans",
    "Fisher", "Flores", "Foster", "Garcia", "Gibson", "Gomez", "Gonzalez", "Graham", "Gray",
    "Green", "Griffin", "Hall", "Harris", "Hayes", "Henderson", "Hernandez", "Hill", "Howard",
    "Hughes", "Jackson", "James", "Jenkins", "Johnson", "Jones", "Kelly", "Kim", "King", "Lee",
    "Lewis", "Long", "Lopez", "Martin", "Martinez", "Mitchell", "Moore", "Morales", "Morgan",
    "Morris", "Murphy", "Myers", "Nelson", "Ortiz", "Parker", "Patel", "Perez", "Perry",
    "Peterson", "Phillips", "Powell", "Price", "Ramirez", "Reed", "Reyes", "Richardson",
    "Rivera", "Roberts", "Robinson", "Rodriguez", "Rogers", "Ross", "Russell", "Sanchez",
    "Sanders", "Scott", "Simmons", "Smith", "Stewart", "Sullivan", "Taylor", "Thomas",
    "Thompson", "Torres", "Turner", "Walker", "Ward", "Washington", "Watson", "White",
    "Williams", "Wilson", "Wood", "Wright", "Young",
)

REGIONAL_LAST_NAMES = {
    "TN": (
        "Hensley", "Bowman", "McMillan", "Pruitt", "Greer", "Haslam", "Gentry", "Whitfield",
        "Cantrell", "Kilgore", "Darnell", "Overton", "Sevier", "McNairy", "Blevins", "Tipton",
    ),
    "UT": (
        "Jensen", "Christensen", "Larsen", "Nielsen", "Sorensen", "Hansen", "Peterson",
        "Bagley", "Ostler", "Mangelson", "Kay", "Warner", "Nebeker", "Sperry", "Ockey",
        "Memmott", "Bowles", "Orme", "Ludlow", "Pexton",
    ),
    "MA": (
        "O'Brien", "Sullivan", "Murphy", "Fitzgerald", "Donovan", "McCarthy", "Russo",
        "DeLuca", "Silva", "Pereira", "Medeiros", "Nguyen", "Tran", "Cabral", "Kowalski",
        "Lombardi", "Doherty", "Walsh",
    ),
    "KY": (
        "Combs", "Caudill", "Slone", "Sizemore", "Napier", "Begley", "Fugate", "Hensley",
        "Gabbard", "Couch", "Ison", "Stidham", "Amburgey", "Sturgill", "Mullins", "Bowling",
    ),
    "LA": (
        "Thibodeaux", "Boudreaux", "Hebert", "Landry", "Guidry", "Broussard", "Fontenot",
        "LeBlanc", "Comeaux", "Arceneaux", "Richard", "Melancon", "Trahan", "Babineaux",
    ),
    "MO": (
        "Schroeder", "Meyer", "Klein", "Vogt", "Hoffmann", "Brandt", "Crowder", "Ketchum",
        "Pendergast", "Bland", "Truman", "Stoddard", "Lindell", "Boone",
    ),
    "NC": (
        "Locklear", "Oxendine", "Strickland", "Honeycutt", "Lassiter", "Tyndall", "Pridgen",
        "Faircloth", "Barefoot", "Sasser", "Whitley", "Hatcher",
    ),
    "AR": (
        "Ledbetter", "Hargis", "Tolliver", "Maxey", "Dortch", "Cheatham", "Haney", "Glover",
        "Pryor", "Yell", "Kimbrough", "Rutledge",
    ),
}

# Reserved example domains (RFC 2606): the demo never names a real mailbox.
DISTRICT_DOMAINS = {
    "JUAB": "juab.k12.ut.example",
    "FAYETTE": "fayette.kyschools.example",
}
PERSONAL_DOMAINS = ("mail.example", "inbox.example", "teachers.example", "post.example")
