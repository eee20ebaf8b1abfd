# An absolute path in final form, as runner.yaml wants its paths: no relative path reaches the catalog.
type Runner::Path = Pattern[/\A(\/[^\/\x00]+)+\z/]
