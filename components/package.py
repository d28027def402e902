"""The component package's conventions: its name, type tokens, aliases and argument errors.

Every component registers as `container-delivery:index:<Name>`, whether this repository's
program creates it or another program creates it through the package (`pulumi package add`),
so both produce the same URNs. Before the library was a package the tokens were
`cicd:<module>:<Name>`; each component carries an alias to its old token so that a stack
deployed then is updated in place, never replaced.
"""

import pulumi

PACKAGE = "container-delivery"
"""The package name: the first part of every type token, the name consumers add."""


def type_token(component: str) -> str:
    """The type token of one of the package's components."""
    return f"{PACKAGE}:index:{component}"


def package_options(opts: pulumi.ResourceOptions | None, legacy_type: str) -> pulumi.ResourceOptions:
    """`opts` plus an alias to the component's type before it joined the package."""
    return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(aliases=[pulumi.Alias(type_=legacy_type)]))


class ComponentArgsError(pulumi.RunError, ValueError):
    """A component was given arguments AWS or the library would refuse.

    The message names the component, each bad argument and its fix. As a `RunError` the
    Pulumi CLI shows it without a traceback; the package's provider returns it as an input
    error naming the argument (see provider/host.py).
    """
