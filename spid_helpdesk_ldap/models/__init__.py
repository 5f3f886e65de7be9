from . import res_users
from . import res_company_ldap
