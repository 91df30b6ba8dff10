# ruff: noqa: E501  (facts are kept as published, one entry per line)
"""European Qualifications Framework: the eight levels and their learning-outcome descriptors.

Text of Annex II of the Council Recommendation of 22 May 2017 on the EQF (OJ C 189, 15.6.2017); the QF-EHEA cycle
compatible with levels 5–8 follows the same annex.
"""

LEVELS: list[dict[str, object]] = [
    {
        "level": 1,
        "knowledge": "Basic general knowledge",
        "skills": "Basic skills required to carry out simple tasks",
        "responsibility_autonomy": "Work or study under direct supervision in a structured context",
        "qf_ehea_cycle": "",
    },
    {
        "level": 2,
        "knowledge": "Basic factual knowledge of a field of work or study",
        "skills": (
            "Basic cognitive and practical skills required to use relevant information in order to carry out "
            "tasks and to solve routine problems using simple rules and tools"
        ),
        "responsibility_autonomy": "Work or study under supervision with some autonomy",
        "qf_ehea_cycle": "",
    },
    {
        "level": 3,
        "knowledge": "Knowledge of facts, principles, processes and general concepts, in a field of work or study",
        "skills": (
            "A range of cognitive and practical skills required to accomplish tasks and solve problems by "
            "selecting and applying basic methods, tools, materials and information"
        ),
        "responsibility_autonomy": (
            "Take responsibility for completion of tasks in work or study; adapt own behaviour to circumstances "
            "in solving problems"
        ),
        "qf_ehea_cycle": "",
    },
    {
        "level": 4,
        "knowledge": "Factual and theoretical knowledge in broad contexts within a field of work or study",
        "skills": (
            "A range of cognitive and practical skills required to generate solutions to specific problems in a "
            "field of work or study"
        ),
        "responsibility_autonomy": (
            "Exercise self-management within the guidelines of work or study contexts that are usually "
            "predictable, but are subject to change; supervise the routine work of others, taking some "
            "responsibility for the evaluation and improvement of work or study activities"
        ),
        "qf_ehea_cycle": "",
    },
    {
        "level": 5,
        "knowledge": (
            "Comprehensive, specialised, factual and theoretical knowledge within a field of work or study and "
            "an awareness of the boundaries of that knowledge"
        ),
        "skills": (
            "A comprehensive range of cognitive and practical skills required to develop creative solutions to "
            "abstract problems"
        ),
        "responsibility_autonomy": (
            "Exercise management and supervision in contexts of work or study activities where there is "
            "unpredictable change; review and develop performance of self and others"
        ),
        "qf_ehea_cycle": "short cycle",
    },
    {
        "level": 6,
        "knowledge": (
            "Advanced knowledge of a field of work or study, involving a critical understanding of theories "
            "and principles"
        ),
        "skills": (
            "Advanced skills, demonstrating mastery and innovation, required to solve complex and unpredictable "
            "problems in a specialised field of work or study"
        ),
        "responsibility_autonomy": (
            "Manage complex technical or professional activities or projects, taking responsibility for "
            "decision-making in unpredictable work or study contexts; take responsibility for managing "
            "professional development of individuals and groups"
        ),
        "qf_ehea_cycle": "first cycle",
    },
    {
        "level": 7,
        "knowledge": (
            "Highly specialised knowledge, some of which is at the forefront of knowledge in a field of work or "
            "study, as the basis for original thinking and/or research. Critical awareness of knowledge issues "
            "in a field and at the interface between different fields"
        ),
        "skills": (
            "Specialised problem-solving skills required in research and/or innovation in order to develop new "
            "knowledge and procedures and to integrate knowledge from different fields"
        ),
        "responsibility_autonomy": (
            "Manage and transform work or study contexts that are complex, unpredictable and require new "
            "strategic approaches; take responsibility for contributing to professional knowledge and practice "
            "and/or for reviewing the strategic performance of teams"
        ),
        "qf_ehea_cycle": "second cycle",
    },
    {
        "level": 8,
        "knowledge": (
            "Knowledge at the most advanced frontier of a field of work or study and at the interface between "
            "fields"
        ),
        "skills": (
            "The most advanced and specialised skills and techniques, including synthesis and evaluation, "
            "required to solve critical problems in research and/or innovation and to extend and redefine "
            "existing knowledge or professional practice"
        ),
        "responsibility_autonomy": (
            "Demonstrate substantial authority, innovation, autonomy, scholarly and professional integrity and "
            "sustained commitment to the development of new ideas or processes at the forefront of work or "
            "study contexts including research"
        ),
        "qf_ehea_cycle": "third cycle",
    },
]


def levels() -> list[dict[str, object]]:
    """The eight levels with their URI in the EU vocabulary of the EQF."""
    return [{**row, "uri": f"http://data.europa.eu/snb/eqf/{row['level']}"} for row in LEVELS]
