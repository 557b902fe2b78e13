"""Why: the conflict graph, why answers, what-if, pages.

Explanation: the conflict graph from the reason atoms (conflict_graph), ``explain`` and ``why`` (explain,
why_text), what would change an outcome (whatif), and rendering as DOT, SVG and the analyst's HTML page
(graph_render, report_html). Above the engine.
"""
