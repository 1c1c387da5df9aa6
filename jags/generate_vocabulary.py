"""Vocabulary of the synthetic workspaces: sectors, localities, names, places, organisations.

Everything here is invented except the public bodies named in
:data:`COUNTYWIDE` (real employers of Norfolk professionals); no record
made from it refers to a real person or case.
"""

from __future__ import annotations

__all__ = [
    "CASE_NOTES",
    "COUNTYWIDE",
    "DISTRICT_COUNCILS",
    "FACILITATOR_SECTORS",
    "FAMILY_NOTES",
    "FIRST_NAMES",
    "LAST_NAMES",
    "LOCALITIES",
    "LOCALITY_WEIGHTS",
    "PARTICIPANT_SECTORS",
    "PLACES",
    "PRACTICE_WORDS",
    "RATIONALES",
    "REQUESTER_SECTORS",
    "SCHOOL_TYPES",
    "SCHOOL_WORDS",
    "SECTORS",
    "SPECIALISMS",
]

SECTORS: tuple[str, ...] = (
    "Children's Services",
    "Health",
    "Police",
    "Education",
    "Early Help",
    "Probation",
    "Voluntary",
    "Housing",
    "Adult Services (Mental Health)",
)
"""Sectors of the generated organisations."""

LOCALITIES: tuple[str, ...] = (
    "Norwich",
    "Breckland",
    "Broadland",
    "Great Yarmouth",
    "King's Lynn and West Norfolk",
    "North Norfolk",
    "South Norfolk",
)
"""Norfolk's seven district localities."""

LOCALITY_WEIGHTS = (20, 15, 13, 12, 17, 11, 13)

SPECIALISMS: tuple[str, ...] = (
    "neglect",
    "domestic abuse",
    "exploitation",
    "self-harm",
    "SEND",
    "parental mental health",
    "substance misuse",
    "online harm",
)
"""Facilitator specialisms, also used as request topics."""
FIRST_NAMES = (
    "Oliver", "George", "Harry", "Jack", "Jacob", "Noah", "Charlie", "Thomas", "Oscar",
    "William", "James", "Leo", "Alfie", "Henry", "Joshua", "Daniel", "Samuel", "Joseph",
    "Max", "Ethan", "Adam", "Benjamin", "Luke", "Matthew", "David", "Mark", "Paul", "Richard",
    "Andrew", "Peter", "Simon", "Stephen", "Michael", "Christopher", "Robert", "Ian",
    "Amelia", "Olivia", "Isla", "Emily", "Ava", "Jessica", "Sophie", "Grace", "Lily", "Mia",
    "Ella", "Charlotte", "Chloe", "Lucy", "Hannah", "Ellie", "Evie", "Megan", "Holly",
    "Sarah", "Emma", "Rachel", "Laura", "Claire", "Helen", "Karen", "Joanne", "Nicola",
    "Rebecca", "Victoria", "Katie", "Amy", "Gemma", "Natalie", "Louise", "Zoe", "Priya",
    "Aisha", "Fatima", "Mohammed", "Ali", "Hassan", "Amir", "Anjali", "Ravi", "Sanjay",
)
LAST_NAMES = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards",
    "Hughes", "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood",
    "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark", "Lee", "King",
    "Baker", "Harrison", "Morgan", "Allen", "James", "Scott", "Phillips", "Watson", "Davis",
    "Parker", "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Kelly", "Cook", "Carter",
    "Richardson", "Bailey", "Collins", "Bell", "Shaw", "Murphy", "Miller", "Cox", "Richards",
    "Khan", "Marshall", "Anderson", "Simpson", "Ellis", "Adams", "Singh", "Begum", "Wilkinson",
    "Foster", "Chapman", "Powell", "Webb", "Rogers", "Gray", "Mason", "Ali", "Hunt", "Hussain",
    "Campbell", "Matthews", "Owen", "Palmer", "Holmes", "Mills", "Barnes", "Knight", "Lloyd",
    "Butler", "Russell", "Barker", "Fisher", "Stevens", "Jenkins", "O'Brien", "Dixon",
)

# Places used for the (fictional) schools and GP practices of each locality.
PLACES: dict[str, tuple[str, ...]] = {
    "Norwich": ("Eaton", "Lakenham", "Mile Cross", "Earlham", "Catton", "Heartsease",
                "Tuckswood", "Bowthorpe"),
    "Breckland": ("Dereham", "Swaffham", "Thetford", "Attleborough", "Watton", "Shipdham"),
    "Broadland": ("Aylsham", "Acle", "Sprowston", "Hellesdon", "Reepham", "Wroxham",
                  "Taverham"),
    "Great Yarmouth": ("Gorleston", "Caister", "Bradwell", "Martham", "Hemsby", "Ormesby"),
    "King's Lynn and West Norfolk": ("Downham Market", "Hunstanton", "Gaywood", "Terrington",
                                     "Heacham", "Dersingham", "Clenchwarton"),
    "North Norfolk": ("Cromer", "Sheringham", "North Walsham", "Fakenham", "Holt",
                      "Wells-next-the-Sea", "Stalham"),
    "South Norfolk": ("Wymondham", "Diss", "Long Stratton", "Hethersett", "Loddon",
                      "Harleston", "Costessey"),
}
SCHOOL_WORDS = ("Kestrel", "Willowbank", "Heron's Reach", "Oakfield", "Kingfisher Meadow",
                 "Saltmarsh", "Alder Carr", "Skylark", "Marram", "Beech Hollow", "Wherryman",
                 "Reedbed", "Lapwing", "Hazel Brook", "Samphire")
SCHOOL_TYPES = ("Primary School", "Primary Academy", "Infant and Nursery School",
                 "Junior School", "High School", "Academy", "CE Primary School")
PRACTICE_WORDS = ("Riverside", "Marshland", "Old Forge", "Church Lane", "Mill House",
                   "Staithe", "Common Road", "Orchard", "Greenway", "Quayside")

DISTRICT_COUNCILS = {
    "Norwich": ("Norwich City Council Housing", "norwich-housing"),
    "Breckland": ("Breckland Council Housing", "breckland-housing"),
    "Broadland": ("Broadland District Council Housing", "broadland-housing"),
    "Great Yarmouth": ("Great Yarmouth Borough Council Housing", "gyb-housing"),
    "King's Lynn and West Norfolk": ("Borough Council of King's Lynn and West Norfolk Housing",
                                     "west-norfolk-housing"),
    "North Norfolk": ("North Norfolk District Council Housing", "north-norfolk-housing"),
    "South Norfolk": ("South Norfolk Council Housing", "south-norfolk-housing"),
}

# (name, sector, base locality, e-mail domain label, relative size); locality None = county-wide.
COUNTYWIDE: tuple[tuple[str, str, str, str, float], ...] = (
    ("Norfolk County Council Children's Services", "Children's Services", "Norwich",
     "ncc-childrens", 12.0),
    ("Norfolk County Council Children's Services Fostering and Adoption",
     "Children's Services", "Norwich", "ncc-fostering", 0.8),
    ("Norfolk County Council Family Hubs", "Early Help", "Norwich", "ncc-familyhubs", 3.0),
    ("Norfolk and Norwich University Hospitals NHS Foundation Trust", "Health", "Norwich",
     "nnuh", 4.0),
    ("Norfolk and Suffolk NHS Foundation Trust", "Health", "Norwich", "nsft", 4.0),
    ("Norfolk Community Health and Care NHS Trust", "Health", "Norwich", "nchc", 4.0),
    ("James Paget University Hospitals NHS Foundation Trust", "Health", "Great Yarmouth",
     "jpaget", 2.0),
    ("The Queen Elizabeth Hospital King's Lynn NHS Foundation Trust", "Health",
     "King's Lynn and West Norfolk", "qehkl", 2.0),
    ("Norfolk Constabulary", "Police", "Norwich", "norfolk-police", 8.0),
    ("British Transport Police", "Police", "Norwich", "btp", 0.15),
    ("Norfolk Virtual School for Children in Care", "Education", "Norwich",
     "norfolk-virtual-school", 0.35),
    ("Probation Service East of England", "Probation", "Norwich", "probation-eoe", 4.0),
    ("Norfolk Youth Justice Service", "Probation", "Norwich", "norfolk-yjs", 2.0),
    ("Wherry Family Support Trust", "Voluntary", "Norwich", "wherry-trust", 1.0),
    ("Coastline Domestic Abuse Service", "Voluntary", "Great Yarmouth", "coastline-das", 1.0),
    ("Marsh Harrier Youth Counselling", "Voluntary", "North Norfolk", "marsh-harrier", 1.0),
    ("Brecks Young Carers", "Voluntary", "Breckland", "brecks-young-carers", 1.0),
    ("Waveney Valley Family Trust", "Voluntary", "South Norfolk", "waveney-valley-trust", 1.0),
    ("Fenland Edge Mentoring", "Voluntary", "King's Lynn and West Norfolk", "fenland-edge", 1.0),
    ("Bure Valley Housing Association", "Housing", "Broadland", "bure-valley-ha", 0.8),
    ("Wensum Homes", "Housing", "Norwich", "wensum-homes", 0.8),
    ("Norfolk County Council Adult Social Services", "Adult Services (Mental Health)",
     "Norwich", "ncc-adults", 4.0),
    ("Yare Valley Recovery Service", "Adult Services (Mental Health)", "Norwich",
     "yare-recovery", 1.5),
    ("Glaven Wellbeing Partnership", "Adult Services (Mental Health)", "North Norfolk",
     "glaven-wellbeing", 1.0),
)

# Sector weights for who facilitates, who requests and who else is in a network.
FACILITATOR_SECTORS = (16, 20, 8, 14, 12, 6, 9, 6, 9)
REQUESTER_SECTORS = (38, 14, 5, 15, 15, 4, 4, 2, 3)
PARTICIPANT_SECTORS = (22, 24, 12, 18, 10, 4, 5, 3, 4)

CASE_NOTES = (
    "Previously the allocated worker",
    "Attended a core group meeting in 2025",
    "Supervised a professional in the network on this case",
)
FAMILY_NOTES = (
    "Chaired a child protection conference for the family",
    "Worked with the family in an earlier service",
    "Previously the allocated worker for a sibling",
)
RATIONALES = (
    "The network asked for a facilitator with {topic} experience; agreed by the team manager.",
    "Facilitated this network before and the group asked for continuity; agreed by the "
    "safeguarding lead.",
    "Requested by the conference chair for the facilitator's {topic} background.",
)
