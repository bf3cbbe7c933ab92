from django.db import migrations


def load_bureaus(apps, schema_editor):
    from practitioners.bureaus import bureau_rows

    Bureau = apps.get_model("practitioners", "Bureau")
    by_code = {}
    for row in bureau_rows():
        row = dict(row)
        parent_code = row.pop("parent_code")
        bureau, _ = Bureau.objects.update_or_create(
            code=row["code"], defaults=dict(row, parent=by_code.get(parent_code))
        )
        by_code[bureau.code] = bureau


class Migration(migrations.Migration):
    dependencies = [("practitioners", "0001_initial")]
    operations = [migrations.RunPython(load_bureaus, migrations.RunPython.noop)]
