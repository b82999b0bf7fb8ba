"""The site, apart from the engine that writes it: `plan` turns validated COEs into pages,
pictures and files, `page_store` renders COE pages once and keeps them, and `search`
indexes the written site with Pagefind. `plugin.py` hands the plan to mkdocs."""
