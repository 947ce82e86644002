"""Print the README configuration table from the Settings class (run after adding a setting)."""

from huiyi.config import Settings

print("| variable | default | meaning |")
print("|---|---|---|")
for name, field in Settings.model_fields.items():
    default = field.default_factory() if field.default_factory else field.default
    if name == "seeds_dir":
        default = "./seeds"
    env = f"`HUIYI_{name.upper()}`"
    if name in ("openai_api_key", "openai_base_url"):
        env += f" (or `{name.upper()}`)"
    print(f"| {env} | `{default}` | {field.description or ''} |")
