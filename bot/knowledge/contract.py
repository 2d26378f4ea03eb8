"""Topic ids promised by ../shared/knowledge-topics.md: deep links and logs depend on them."""

CONTRACT_TOPICS: tuple[str, ...] = (
    "role.definition", "role.manager_meaning", "role.vs_sales_manager",
    "role.why_companies_need", "role.rights", "role.responsibility",
    "duties.general", "duties.bank", "duties.mobile_retail", "duties.corporate",
    "duties.key_account", "duties.client_acquisition", "duties.market_analysis",
    "duties.competitor_analysis", "duties.client_retention", "duties.product_knowledge",
    "job_description.purpose", "job_description.structure", "job_description.approval",
    "job_description.general_provisions",
    "candidate.qualities", "candidate.computer_skills", "candidate.requirements",
    "candidate.education", "candidate.no_experience", "candidate.cv", "candidate.how_to_become",
    "career.growth", "career.pros", "career.cons",
    "salary.overview",
    "chat.greeting", "chat.thanks", "chat.goodbye", "chat.about",
)  # fmt: skip

MIN_QUESTIONS = 12

# Small talk that may stand around a question; chat.about ("what can you do?") is a
# question of its own.
SMALL_TALK: frozenset[str] = frozenset({"chat.greeting", "chat.thanks", "chat.goodbye"})
# Talk about the bot itself: beside a question about the job, "vai vari pastāstīt, …" /
# "можешь рассказать, …" is how the question is put, not a second question.
ABOUT_THE_BOT = "chat.about"
# Topics whose answer is the bot's own talk (a greeting, "you're welcome", what it can do),
# not knowledge about the job: their answers list other topics and sample questions.
BOT_TALK: frozenset[str] = SMALL_TALK | {ABOUT_THE_BOT}
