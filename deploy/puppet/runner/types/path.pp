# An absolute path in final form, as runner.yaml wants its paths: no relative path, no . or .., no // or trailing /.
type Runner::Path = Pattern[/\A(\/(?!\.\.?(\/|\z))[^\/\x00]+)+\z/]
