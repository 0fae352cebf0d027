"""sqlfluff only: lint the SQL inside dbt generic tests (`{% test name(model, ...) %}` blocks).

sqlfluff's jinja templater (apply_dbt_builtins) parses `{% test %}` as a macro definition, so a
generic test renders to nothing and none of its SQL is linted. Loaded through `library_path` in
the repo's .sqlfluff, this module makes the tag render its body in place instead, each argument
bound to its default or else to its own name (`{{ model }}` renders as `model`). Neither dbt
nor anything else imports it.
"""

from jinja2 import nodes
from sqlfluff.core.templaters import jinja as sqlfluff_jinja


def _render_test_body(self, parser):
    lineno = next(parser.stream).lineno
    parser.parse_assign_target(name_only=True)  # the test's name
    signature = nodes.Macro(lineno=lineno)
    parser.parse_signature(signature)
    body = parser.parse_statements(("name:endtest",), drop_needle=True)
    n_required = len(signature.args) - len(signature.defaults)
    bindings = [
        nodes.Assign(
            nodes.Name(arg.name, "store", lineno=lineno),
            signature.defaults[i - n_required] if i >= n_required else nodes.Const(arg.name, lineno=lineno),
            lineno=lineno,
        )
        for i, arg in enumerate(signature.args)
    ]
    return bindings + body


# Fail loudly rather than silently lint nothing again if sqlfluff renames its extension.
sqlfluff_jinja.DBTTestExtension.parse = _render_test_body
