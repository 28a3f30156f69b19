-- Company names and domains from the three CRMs normalise to the same keys.

with

cases as (

    select examples.* from (
        values
        ('Kelvant SAS', 'kelvant', 'https://www.Kelvant.fr/about', 'kelvant.fr'),
        ('KELVANT', 'kelvant', 'kelvant.fr', 'kelvant.fr'),
        ('Kelvant S.A.S.', 'kelvant', 'www.kelvant.fr', 'kelvant.fr'),
        ('Orbit Ltd', 'orbit', 'http://orbit.co.uk:8080/x', 'orbit.co.uk'),
        ('Orbit Limited', 'orbit', 'sales@orbit.co.uk', 'orbit.co.uk'),
        ('The Müller GmbH & Co. KG', 'muller', 'WWW.MUELLER.DE.', 'mueller.de'),
        ('Company', 'company', null, null)
    ) as examples (raw_name, expected_name, raw_domain, expected_domain)

)

select *
from cases
where {{ revops.normalise_company_name('raw_name') }} is distinct from expected_name
    or {{ revops.normalise_domain('raw_domain') }} is distinct from expected_domain
