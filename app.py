from mhhs import create_app

app = create_app()
